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

    private func json(_ diagnostics: [Diagnostic], files: [String]) -> String {
        struct Entry: Encodable {
            var file: String
            var line: Int
            var column: Int
            var severity: String
            var rule: String
            var message: String
        }
        struct Document: Encodable {
            var files: [String]
            var diagnostics: [Entry]
        }
        let document = Document(
            files: files,
            diagnostics: diagnostics.map {
                Entry(
                    file: $0.location.file, line: $0.location.line, column: $0.location.column,
                    severity: $0.severity.rawValue, rule: $0.rule, message: $0.message)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(document), let string = String(data: data, encoding: .utf8) else {
            return "{\"files\":[],\"diagnostics\":[]}\n"
        }
        return string + "\n"
    }
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
