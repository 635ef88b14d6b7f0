#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the credential chain reads from the outside world: environment variables and the home folder.
///
/// Tests make one with a dictionary and a temporary home; commands take the context's.
public struct CredentialEnvironment: Sendable {
    /// The environment variables.
    public var variables: [String: String]
    /// The home folder, for `~/.aws/…`.
    public var homeDirectory: String

    /// Makes an environment.
    public init(variables: [String: String], homeDirectory: String? = nil) {
        self.variables = variables
        self.homeDirectory = homeDirectory ?? variables["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
    }

    /// The value of a variable, nil when unset or empty (as the AWS SDKs treat empty ones).
    public subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// The shared config file: `AWS_CONFIG_FILE`, else `~/.aws/config`.
    public var configFile: String { expand(self["AWS_CONFIG_FILE"] ?? "~/.aws/config") }

    /// The shared credentials file: `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
    public var credentialsFile: String { expand(self["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials") }

    /// Expands a leading `~` and `$VAR` / `${VAR}` references, as botocore does for these paths.
    public func expand(_ path: String) -> String {
        var result = ""
        var characters = Substring(path)
        while let character = characters.first {
            characters = characters.dropFirst()
            guard character == "$" else {
                result.append(character)
                continue
            }
            let braced = characters.first == "{"
            let body = braced ? characters.dropFirst() : characters
            let name = body.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if name.isEmpty || (braced && body.dropFirst(name.count).first != "}") {
                result.append("$")
                continue
            }
            if let value = variables[String(name)] {
                result += value
                characters = body.dropFirst(name.count + (braced ? 1 : 0))
            } else {
                result.append("$")
            }
        }
        if result == "~" { return homeDirectory }
        if result.hasPrefix("~/") { return homeDirectory + result.dropFirst(1) }
        return result
    }
}
