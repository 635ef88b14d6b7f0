import ArgumentParser
import Foundation
import RunbookCore

struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the effective settings and where each came from.",
        discussion: "Precedence: flags > RUNBOOK_* environment > runbook.yml > built-in defaults.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        do {
            let settings = try Settings(workspace: global.workspaceURL.path)
            let width = SettingKey.all.map(\.key.count).max() ?? 0
            for key in SettingKey.all {
                let name = key.key.padding(toLength: width, withPad: " ", startingAt: 0)
                guard let value = settings.value(key.key) else {
                    print("\(name)  (unset)")
                    continue
                }
                let shown = key.kind == .list ? "[" + value.values.joined(separator: ", ") + "]" : value.string ?? ""
                print("\(name)  \(shown)  (\(value.source))")
            }
        } catch let error as RunbookError {
            throw runbook.exit(with: error)
        }
    }
}
