import Foundation

/// Turns a failed build's log into the declaration that broke it: install-content.py's own
/// `runbook-build: FILE:LINE:COL: error: …` lines, pip's "no matching distribution" and conflict
/// reports, and apt's "unable to locate package", each mapped back to the file:line or setting
/// that listed the package.
enum BuildFailure {
    /// The marker install-content.py prints before an error naming its origin.
    static let marker = "runbook-build: "

    /// What failed, one line per cause; nil when the log shows none of the known causes.
    static func explain(log text: String, inputs: ImageInputs) -> String? {
        let lines = text.split(separator: "\n").map(String.init)
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
                    line.contains(pipName(package.text)) || causes.contains { $0.hasPrefix(pipName(package.text)) }
                }
                let origins = involved.map(\.origin)
                add(
                    (origins.isEmpty ? "python_packages" : origins.joined(separator: ", "))
                        + ": error: pip: these requirements conflict with each other or with the image's "
                        + "(ansible-core, boto3, botocore): "
                        + line.trimmingCharacters(in: .whitespaces).replacingOccurrences(
                            of: #"^#\d+ [\d.]+ "#, with: "", options: .regularExpression))
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
