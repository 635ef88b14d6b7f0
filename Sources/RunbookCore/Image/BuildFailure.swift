#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Turns a failed build's log into the declaration that broke it: install-content.py's own
/// `runbook-build: FILE:LINE:COL: error: …` lines, pip's "no matching distribution" and conflict
/// reports, and apt's "unable to locate package", each mapped back to the file:line or setting
/// that listed the package.
enum BuildFailure {
    /// The marker install-content.py prints before an error naming its origin.
    static let marker = "runbook-build: "
    /// BuildKit's `#9 1.20 ` before each line of a step's output.
    private static let buildKitPrefix = TextPattern(#"^#\d+ [\d.]+ "#)

    /// What failed, one line per cause; nil when the log shows none of the known causes.
    static func explain(log text: String, inputs: ImageInputs) -> String? {
        // The classic builder colours a step's standard error (`\e[91mE\e[0m\e[91m: …`): colours off first.
        let lines = text.split(separator: "\n").map { withoutTerminalColours(String($0)) }
        var found: [String] = []
        func add(_ line: String) { if !found.contains(line) { found.append(line) } }
        for (index, line) in lines.enumerated() {
            if let range = line.range(of: marker) {
                add(String(line[range.upperBound...]))
            } else if let name = after(line, "ERROR: No matching distribution found for ")
                ?? after(line, "ERROR: Could not find a version that satisfies the requirement ")
            {
                let requirement = String(name.prefix { $0 != " " })
                add(pythonOrigin(requirement, inputs) + ": error: pip: no release of '\(requirement)' on the index")
            } else if line.contains("ERROR: Cannot install") || line.contains("ResolutionImpossible") {
                let causes = lines[index...].prefix(12).compactMap { after($0, "The user requested ") }
                let involved = inputs.pythonPackages.filter { package in
                    let name = pipName(package.text)
                    return line.lowercased().contains(name) || causes.contains { $0.lowercased().hasPrefix(name) }
                }
                let origins = involved.map(\.origin)
                add(
                    (origins.isEmpty ? "python_packages" : origins.joined(separator: ", "))
                        + ": error: pip: these requirements conflict with each other or with the image's "
                        + "(ansible-core, boto3, botocore): "
                        + withoutBuildKitPrefix(line.trimmingCharacters(in: .whitespaces)))
            } else if let name = after(line, "E: Unable to locate package ")
                ?? after(line, "E: Package '").map({ String($0.prefix { $0 != "'" }) })
            {
                let package = name.trimmingCharacters(in: .whitespaces)
                let origin = (inputs.systemPackages + inputs.buildPackages).first { $0.text == package }?.origin
                add("\(origin ?? "system_packages"): error: apt: Debian has no package '\(package)'")
            }
        }
        return found.isEmpty ? nil : found.joined(separator: "\n")
    }

    /// `line` without ANSI escape sequences (ESC `[` parameters, then one final byte).
    static func withoutTerminalColours(_ line: String) -> String {
        guard line.utf8.contains(0x1B) else { return line }
        var out: [UInt8] = []
        var bytes = line.utf8.makeIterator()
        while let byte = bytes.next() {
            guard byte == 0x1B else {
                out.append(byte)
                continue
            }
            guard bytes.next() == UInt8(ascii: "[") else { continue }
            while let next = bytes.next(), !(0x40...0x7E).contains(next) {}
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func withoutBuildKitPrefix(_ line: String) -> String {
        buildKitPrefix.map { $0.replacingMatches(in: line, with: "") } ?? line
    }

    private static func after(_ line: String, _ prefix: String) -> String? {
        guard let range = line.range(of: prefix) else { return nil }
        return String(line[range.upperBound...])
    }

    /// A pip requirement's project name, lowercased (`NetAddr>=1` → `netaddr`).
    static func pipName(_ requirement: String) -> String {
        String(requirement.prefix { $0.isLetter || $0.isNumber || "-_.".contains($0) }).lowercased()
    }

    private static func pythonOrigin(_ requirement: String, _ inputs: ImageInputs) -> String {
        let name = pipName(requirement)
        return inputs.pythonPackages.first { pipName($0.text) == name }?.origin ?? "python_packages"
    }
}
