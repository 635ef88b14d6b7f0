import CZlib

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// gzip (RFC 1952) through the system zlib: the S3 history store's objects.
enum Gzip {
    /// `data` compressed as one gzip member.
    static func compress(_ data: Data) throws -> Data {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
        guard
            deflateInit2_(
                &stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { throw GzipError("cannot start zlib's deflate") }
        defer { deflateEnd(&stream) }
        return try run(&stream, data, step: { deflate(&$0, Z_FINISH) })
    }

    /// The data of a gzip stream (members concatenated, as gunzip reads them).
    static func decompress(_ data: Data) throws -> Data {
        var stream = z_stream()
        // windowBits 15 + 32: gzip or zlib, detected from the header.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GzipError("cannot start zlib's inflate")
        }
        defer { inflateEnd(&stream) }
        return try run(&stream, data, step: { inflate(&$0, Z_NO_FLUSH) })
    }

    private static func run(_ stream: inout z_stream, _ input: Data, step: (inout z_stream) -> Int32) throws -> Data {
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var bytes = [UInt8](input)
        return try bytes.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let (status, produced) = buffer.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    let status = step(&stream)
                    return (status, target.count - Int(stream.avail_out))
                }
                output.append(contentsOf: buffer[0..<produced])
                switch status {
                case Z_STREAM_END:
                    return output
                case Z_OK:
                    continue
                case Z_BUF_ERROR where produced > 0:
                    continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    throw GzipError(stream.avail_in == 0 ? "the data ends early (\(message))" : message)
                }
            }
        }
    }
}

/// Why gzip data could not be made or read.
struct GzipError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
