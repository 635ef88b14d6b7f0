#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The output formats for a list of diagnostics.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    case text
    case json
    case github
}

/// Renders diagnostics as text (`path:line:col: severity: message [rule]`), JSON, or GitHub Actions commands.
public struct DiagnosticRenderer: Sendable {
    /// The output format.
    public var format: DiagnosticFormat
    /// Whether to colour text output (only on a terminal).
    public var colour: Bool

    /// Makes a renderer.
    public init(format: DiagnosticFormat, colour: Bool = false) {
        self.format = format
        self.colour = colour
    }

    /// Renders every diagnostic, plus for JSON the list of files looked at.
    public func render(_ diagnostics: [Diagnostic], files: [String]) -> String {
        switch format {
        case .text:
            return diagnostics.map(text).joined()
        case .github:
            return diagnostics.map(github).joined()
        case .json:
            return json(diagnostics, files: files)
        }
    }

    private func text(_ diagnostic: Diagnostic) -> String {
        let where_ = "\(diagnostic.location.file):\(diagnostic.location.line):\(diagnostic.location.column):"
        let severity = diagnostic.severity.rawValue
        guard colour else {
            return "\(where_) \(severity): \(diagnostic.message) [\(diagnostic.rule)]\n"
        }
        let code: String
        switch diagnostic.severity {
        case .error: code = "31"
        case .warning: code = "33"
        case .note: code = "36"
        }
        return "\u{1B}[1m\(where_)\u{1B}[0m \u{1B}[1;\(code)m\(severity):\u{1B}[0m \(diagnostic.message) "
            + "\u{1B}[2m[\(diagnostic.rule)]\u{1B}[0m\n"
    }

    private func github(_ diagnostic: Diagnostic) -> String {
        let command: String
        switch diagnostic.severity {
        case .error: command = "error"
        case .warning: command = "warning"
        case .note: command = "notice"
        }
        let location = diagnostic.location
        let properties =
            "file=\(escapeProperty(location.file)),line=\(location.line),col=\(location.column)"
            + ",title=\(escapeProperty(diagnostic.rule))"
        return "::\(command) \(properties)::\(escapeData(diagnostic.message))\n"
    }

    /// The JSON document, written directly (JSONEncoder's pretty-printed, sorted-key layout, without
    /// escaped slashes: a few milliseconds less on a large repository's report).
    private func json(_ diagnostics: [Diagnostic], files: [String]) -> String {
        var out = "{\n  \"diagnostics\" : ["
        for (index, diagnostic) in diagnostics.enumerated() {
            out += index == 0 ? "\n" : ",\n"
            out += "    {\n      \"column\" : \(diagnostic.location.column),\n      \"file\" : "
            appendJSONString(diagnostic.location.file, to: &out)
            out += ",\n      \"line\" : \(diagnostic.location.line),\n      \"message\" : "
            appendJSONString(diagnostic.message, to: &out)
            out += ",\n      \"rule\" : "
            appendJSONString(diagnostic.rule, to: &out)
            out += ",\n      \"severity\" : "
            appendJSONString(diagnostic.severity.rawValue, to: &out)
            out += "\n    }"
        }
        out += diagnostics.isEmpty ? "\n\n  ],\n  \"files\" : [" : "\n  ],\n  \"files\" : ["
        for (index, file) in files.enumerated() {
            out += index == 0 ? "\n    " : ",\n    "
            appendJSONString(file, to: &out)
        }
        out += files.isEmpty ? "\n\n  ]\n}\n" : "\n  ]\n}\n"
        return out
    }
}

/// Appends `text` as a JSON string: quotes, backslashes and control characters escaped (the short
/// forms where JSON has them), everything else as is.
func appendJSONString(_ text: String, to out: inout String) {
    out += "\""
    guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
        out += text
        out += "\""
        return
    }
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case let control where control.value < 0x20:
            let hex = String(control.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    out += "\""
}

// GitHub workflow command escaping: https://github.com/actions/toolkit (core/src/command.ts).
private func escapeData(_ value: String) -> String {
    value.replacingOccurrences(of: "%", with: "%25")
        .replacingOccurrences(of: "\r", with: "%0D")
        .replacingOccurrences(of: "\n", with: "%0A")
}

private func escapeProperty(_ value: String) -> String {
    escapeData(value)
        .replacingOccurrences(of: ":", with: "%3A")
        .replacingOccurrences(of: ",", with: "%2C")
}
