import ArgumentParser
import CProcessTuning
import RunbookCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

@main
struct Runbook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runbook",
        abstract: "Validate, check credentials for, and run Ansible playbooks against AWS in a container.",
        version: RunbookVersion.description,
        subcommands: [
            Apply.self,
            Plan.self,
            Validate.self,
            Creds.self,
            Config.self,
            Init.self,
            CI.self,
            MergeJUnit.self,
            Image.self,
            Ps.self,
            Runs.self,
            Show.self,
            Report.self,
            ExecPlaybook.self,
        ]
    )

    static func main() async {
        runbook_tune_malloc()
        let status = await execute(Array(CommandLine.arguments.dropFirst()), system: .live())
        #if canImport(Glibc)
            Glibc.exit(status)
        #elseif canImport(Musl)
            Musl.exit(status)
        #else
            Darwin.exit(status)
        #endif
    }

    /// Parses `arguments`, makes the command's context from `system` and runs it: the one place where
    /// every outcome becomes an exit status. ansible-playbook's status passes through; runbook's own
    /// errors are sysexits; anything unexpected is 70 with a line saying what failed, never 1.
    static func execute(_ arguments: [String], system: RunbookSystem) async -> Int32 {
        let console = system.console
        do {
            if let validate = Validate.quickParse(arguments) {
                let context = try RunbookContext(
                    system: system, workspace: validate.workspace, flags: validate.settingFlags)
                return try await validate.command.run(context)
            }
            var command = try parseAsRoot(arguments)
            guard let runnable = command as? any RunbookCommand else {
                // The in-container entry, or a group such as `runbook image` without a subcommand (its help).
                if let entry = command as? ExecPlaybook {
                    try await entry.run()
                } else {
                    try command.run()
                }
                return 0
            }
            let context = try RunbookContext(
                system: system, workspace: runnable.global.workspace, flags: runnable.settingFlags)
            return try await runnable.run(context)
        } catch let error as RunbookError {
            console.err("runbook: error: \(error.description)\n")
            return error.status.rawValue
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            let code = exitCode(for: error)
            // ArgumentParser's own errors (usage 64, help and version 0) keep their status and text;
            // it gives every other error 1, which would read like ansible-playbook's own failure.
            guard code == .failure else {
                let message = fullMessage(for: error)
                if !message.isEmpty { code == .success ? console.out(message + "\n") : console.err(message + "\n") }
                return code.rawValue
            }
            console.err("runbook: error: internal error: \(describe(error)); please report it\n")
            return ExitStatus.software.rawValue
        }
    }

    private static func describe(_ error: any Error) -> String {
        let text = (error as? any LocalizedError)?.errorDescription ?? "\(error)"
        return text.isEmpty ? String(describing: type(of: error)) : text
    }
}

/// A runbook subcommand: options in, one call into RunbookCore with the command's context, status out.
protocol RunbookCommand: AsyncParsableCommand {
    /// The options every command has.
    var global: GlobalOptions { get }
    /// The settings its flags set.
    var settingFlags: SettingFlags { get }
    /// Runs with `context` and returns the exit status.
    func run(_ context: RunbookContext) async throws -> Int32
}

extension RunbookCommand {
    var settingFlags: SettingFlags { SettingFlags() }

    /// What ArgumentParser would call; `Runbook.main` goes through `Runbook.execute` instead.
    mutating func run() async throws {
        let context = try RunbookContext(system: .live(), workspace: global.workspace, flags: settingFlags)
        let status = try await run(context)
        if status != 0 { throw ExitCode(status) }
    }
}
