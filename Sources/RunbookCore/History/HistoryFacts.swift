#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the history records about a run besides its results, gathered once per `apply` (its
/// idempotence run shares them): where the history is, who runs it, which commit, playbook,
/// inventory, selection, identity and region.
struct HistoryFacts: Sendable {
    /// The history file, or nil when the `history` setting is off.
    var historyPath: String?
    var user: String?
    var ciJob: (provider: String, url: String?)?
    var git: (commit: String, dirty: Bool?)?
    var workspace: String
    var playbook: String
    var inventory: [String]
    var selection: PlaybookSelection
    var target: String?
    var account: String?
    var arn: String?
    var region: String?

    static func gather(
        context: RunbookContext, playbook: String, inventories: [InventoryArgument], request: ApplyRequest,
        aws: ApplyPipeline.AWSHandover
    ) async -> HistoryFacts {
        // --list-tasks/--list-hosts/--list-tags run nothing: there is nothing to remember.
        let selection = request.selection
        let listsOnly = selection.listTasks || selection.listHosts || selection.listTags
        let path = listsOnly ? nil : HistoryLocation.path(context.settings, home: context.home)
        let environment = context.environment
        return HistoryFacts(
            historyPath: path, user: RunFacts.user(environment), ciJob: RunFacts.ciJob(environment),
            git: path == nil
                ? nil
                : await RunFacts.git(workspace: context.workspace, environment: environment, runner: context.runner),
            workspace: context.workspace, playbook: Paths.display(playbook, from: context.workspace),
            inventory: inventories.map { Paths.display($0.value, from: context.workspace) },
            selection: request.selection, target: request.target, account: aws.account, arn: aws.arn,
            region: aws.region)
    }

    /// The run's row as it starts.
    func run(id: String, kind: String, parent: String?, owner: RunOwner, started: Date) -> RecordedRun {
        var run = RecordedRun(id: id, kind: kind, started: started, workspace: workspace, playbook: playbook)
        run.parent = parent
        run.user = user
        run.host = owner.host
        run.pid = owner.pid
        run.pidStart = owner.processStart
        run.ciProvider = ciJob?.provider
        run.ciJobURL = ciJob?.url
        run.gitCommit = git?.commit
        run.gitDirty = git?.dirty
        run.inventory = inventory
        run.limit = selection.limit
        run.tags = selection.tags.isEmpty ? nil : selection.tags.joined(separator: ",")
        run.skipTags = selection.skipTags.isEmpty ? nil : selection.skipTags.joined(separator: ",")
        run.target = target
        run.slice = selection.slice?.description
        run.account = account
        run.arn = arn
        run.region = region
        return run
    }
}
