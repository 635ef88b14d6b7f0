#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs a profile's `credential_process` and reads the JSON it prints.
struct CredentialProcess {
    var runner: any ProcessRunning
    var timeout: Duration

    /// The credentials the command prints, or a finding saying why there are none.
    func run(_ command: String, profile: String, at location: SourceLocation) async -> Result<
        AWSCredentials, CredentialFinding
    > {
        func failure(_ message: String) -> Result<AWSCredentials, CredentialFinding> {
            .failure(CredentialFinding(.error, "credential-process", message, at: location))
        }
        guard let words = shellWords(command), let executable = words.first else {
            return failure(
                "credential_process of profile \(profile) is empty or has an unclosed quote; fix the command line")
        }
        let output: ProcessOutput
        do {
            output = try await runner.capture(ProcessSpec(executable, Array(words.dropFirst()), timeout: timeout))
        } catch {
            return failure(
                "credential_process '\(executable)' of profile \(profile) could not start (\(error)); check the path")
        }
        if output.timedOut {
            return failure(
                "credential_process '\(executable)' of profile \(profile) did not finish within \(timeout.seconds) s; "
                    + "run it by hand to see what it waits for")
        }
        guard output.status == 0 else {
            let reason = output.standardError.split(separator: "\n").first.map { ": \($0.prefix(200))" } ?? ""
            return failure(
                "credential_process '\(executable)' of profile \(profile) exited with status \(output.status)\(reason)")
        }
        return parse(Data(output.standardOutput.utf8), executable: executable, profile: profile, at: location)
    }

    /// Reads the `Version: 1` JSON document a credential process prints.
    func parse(_ data: Data, executable: String, profile: String, at location: SourceLocation) -> Result<
        AWSCredentials, CredentialFinding
    > {
        struct Document: Decodable {
            var Version: Int?
            var AccessKeyId: String?
            var SecretAccessKey: String?
            var SessionToken: String?
            var Expiration: String?
        }
        func failure(_ message: String) -> Result<AWSCredentials, CredentialFinding> {
            .failure(CredentialFinding(.error, "credential-process", message, at: location))
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: data) else {
            return failure("credential_process '\(executable)' of profile \(profile) did not print a JSON object")
        }
        guard document.Version == 1 else {
            return failure(
                "credential_process '\(executable)' of profile \(profile) printed Version \(document.Version.map(String.init) ?? "(none)"); "
                    + "only Version 1 is defined")
        }
        guard let id = document.AccessKeyId, !id.isEmpty, let secret = document.SecretAccessKey, !secret.isEmpty else {
            return failure(
                "credential_process '\(executable)' of profile \(profile) printed no AccessKeyId or SecretAccessKey")
        }
        var expiration: Date?
        if let text = document.Expiration {
            guard let date = parseTimestamp(text) else {
                return failure(
                    "credential_process '\(executable)' of profile \(profile) printed Expiration '\(text.prefix(40))', "
                        + "not an ISO 8601 time")
            }
            expiration = date
        }
        return .success(
            AWSCredentials(
                accessKeyId: id, secretAccessKey: secret, sessionToken: document.SessionToken, expiration: expiration))
    }
}

extension Duration {
    /// Whole seconds, for messages.
    var seconds: Int64 { components.seconds }
}
