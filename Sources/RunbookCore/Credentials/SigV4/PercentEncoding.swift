/// Percent-encodes `text` as SigV4 requires: every byte except `A-Z a-z 0-9 - _ . ~` (and `/` when
/// `keepSlash`) becomes `%XY` with upper-case hex.
func sigV4Encode(_ text: String, keepSlash: Bool = false) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            result.unicodeScalars.append(Unicode.Scalar(byte))
        case UInt8(ascii: "/") where keepSlash:
            result.append("/")
        default:
            result += "%" + hexByte(byte, uppercase: true)
        }
    }
    return result
}

/// Decodes `%XY` escapes (and nothing else); invalid escapes are kept as they are.
func percentDecode(_ text: Substring) -> String {
    var bytes: [UInt8] = []
    var utf8 = Array(text.utf8)[...]
    while let byte = utf8.popFirst() {
        if byte == UInt8(ascii: "%"), utf8.count >= 2,
            let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
        {
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        } else {
            bytes.append(byte)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Lower- or upper-case two-digit hex for a byte.
func hexByte(_ byte: UInt8, uppercase: Bool = false) -> String {
    let digits: [Character] = Array(uppercase ? "0123456789ABCDEF" : "0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}

/// Lower-case hex of a byte sequence.
func hexString<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    bytes.map { hexByte($0) }.joined()
}
