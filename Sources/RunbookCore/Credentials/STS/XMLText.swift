#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The text of the first `<name>…</name>` element in a small XML document such as an STS response,
/// with the five predefined entities decoded; nil when absent.
func xmlText(_ name: String, in document: String) -> String? {
    guard let open = document.range(of: "<\(name)>"),
        let close = document.range(of: "</\(name)>", range: open.upperBound..<document.endIndex)
    else { return nil }
    return String(document[open.upperBound..<close.lowerBound])
        .replacingOccurrences(of: "&lt;", with: "<")
        .replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&quot;", with: "\"")
        .replacingOccurrences(of: "&apos;", with: "'")
        .replacingOccurrences(of: "&amp;", with: "&")
}
