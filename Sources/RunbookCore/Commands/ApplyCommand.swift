/// `runbook apply` and `runbook plan`: the pipeline, ending with ansible-playbook's own status.
public struct ApplyCommand: Sendable {
    /// What to run.
    public var request: ApplyRequest

    /// Makes the command.
    public init(_ request: ApplyRequest) {
        self.request = request
    }

    /// Runs the pipeline with the context's image step and returns ansible-playbook's status (or
    /// 75 / 130 / 143 when the time limit or a signal stopped it).
    public func run(_ context: RunbookContext, images: (any ImageProviding)? = nil) async throws -> Int32 {
        try await ApplyPipeline(context: context, images: images).run(request).status
    }
}
