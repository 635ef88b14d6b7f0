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

/// Ensures, builds, inspects and pushes runbook's image on one container engine.
public struct ImageManager: Sendable {
    /// What `ensure` did.
    public enum Outcome: String, Sendable, Hashable {
        /// The name:tag already held the current content; nothing was done.
        case current
        /// An image with the current content was present under its content tag and was tagged.
        case retagged
        /// The current content was pulled from the registry.
        case pulled
        /// The image was built.
        case built
    }

    /// The result of `ensure` or `build`.
    public struct Result: Sendable, Hashable {
        /// What was done.
        public var outcome: Outcome
        /// The image now under the name:tag.
        public var image: ImageInfo
        /// The build log, when there was a build.
        public var logPath: String?
    }

    /// What `status` found.
    public struct Status: Sendable, Hashable {
        /// The name:tag.
        public var reference: ImageReference
        /// The content hash this runbook would build.
        public var contentHash: String
        /// The image under the name:tag, if any.
        public var image: ImageInfo?
        /// The inputs (settings names) whose digest differs from the image's, when it recorded them.
        public var changedInputs: [String]?
        /// Whether that image holds the current content.
        public var current: Bool { image?.contentHash == contentHash }
    }

    /// The engine CLI.
    public var engine: ContainerEngine
    /// Runs the engine CLI.
    public var runner: any ProcessRunning
    /// The image definition.
    public var definition: ImageDefinition
    /// The settings.
    public var settings: ImageSettings
    /// Locks, build folders and logs go under here.
    public var cacheDirectory: URL
    /// How build output is shown.
    public var progressStyle: BuildProgress.Style
    /// Writes to standard error (messages end with a newline; progress may not).
    public var write: @Sendable (String) -> Void

    /// Makes a manager.
    public init(
        engine: ContainerEngine, runner: any ProcessRunning, settings: ImageSettings,
        definition: ImageDefinition = .embedded, cacheDirectory: URL,
        progressStyle: BuildProgress.Style = .plain, write: @escaping @Sendable (String) -> Void
    ) {
        self.engine = engine
        self.runner = runner
        self.settings = settings
        self.definition = definition
        self.cacheDirectory = cacheDirectory
        self.progressStyle = progressStyle
        self.write = write
    }

    /// The content hash of the image these settings describe.
    public var contentHash: String { definition.contentHash(settings) }

    /// The name with the content tag.
    public var contentReference: ImageReference {
        settings.reference.with(tag: ImageDefinition.contentTag(contentHash))
    }

    // MARK: - Commands

    /// Makes sure the name:tag holds the current image: nothing when it does (one `image inspect`),
    /// else retag, pull (per the pull policy) or build, one process at a time per name.
    public func ensure() async throws -> Result {
        let hash = contentHash
        let reference = settings.reference.description
        if settings.pullPolicy == .always {
            try await pull(reference)
        }
        if let image = try await inspect(reference), image.contentHash == hash {
            return Result(outcome: .current, image: image)
        }
        let lock = try await takeLock()
        defer { lock.unlock() }
        // Another process may have finished while we waited for the lock.
        if let image = try await inspect(reference), image.contentHash == hash {
            return Result(outcome: .current, image: image)
        }
        if let image = try await inspect(contentReference.description), image.contentHash == hash {
            try await tag(contentReference.description, reference)
            return Result(outcome: .retagged, image: try await require(reference))
        }
        if settings.pullPolicy != .never, settings.reference.registry != nil,
            try await pull(contentReference.description),
            let image = try await inspect(contentReference.description), image.contentHash == hash
        {
            try await tag(contentReference.description, reference)
            return Result(outcome: .pulled, image: try await require(reference))
        }
        return try await buildLocked()
    }

    /// Builds the image now (layer cache permitting), even when the current one is present.
    public func build() async throws -> Result {
        let lock = try await takeLock()
        defer { lock.unlock() }
        return try await buildLocked()
    }

    /// The name, content hash and image, and whether the image is current.
    public func status() async throws -> Status {
        let image = try await inspect(settings.reference.description)
        return Status(
            reference: settings.reference, contentHash: contentHash, image: image,
            changedInputs: image.flatMap {
                definition.changedInputs(settings, label: $0.labels[ImageDefinition.Label.inputs])
            })
    }

    /// Ensures the image, then pushes the name:tag and its content tag; returns the pushed digest.
    public func push() async throws -> (result: Result, digest: String) {
        let reference = settings.reference
        guard reference.hasRegistryOrNamespace,
            reference.repository != ImageReference(SettingKey.defaultImage)?.repository
        else {
            throw RunbookError.usage(
                "'\(reference)' is not a name in your registry; set --tag / RUNBOOK_IMAGE to "
                    + "REGISTRY/NAMESPACE/NAME:TAG, e.g. registry.example.com/team/ansible-aws:release")
        }
        let result = try await ensure()
        try await tag(reference.description, contentReference.description)
        var digest = ""
        for target in [contentReference.description, reference.description] {
            write("pushing \(target)\n")
            let output = try await runner.capture(engine.push(target))
            guard output.status == 0 else {
                try await checkEngine()
                throw RunbookError.unavailable(
                    "pushing \(target) failed; check the registry is reachable and you are logged in "
                        + "(`\(engine.kind.rawValue) login \(reference.registry ?? "REGISTRY")`)",
                    cause: lastLine(output.standardError))
            }
            digest = Self.digest(inPushOutput: output.standardOutput) ?? digest
        }
        if digest.isEmpty, let image = try await inspect(reference.description) {
            let prefix = reference.repository + "@"
            digest = image.repoDigests.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } ?? ""
        }
        return (result, digest)
    }

    /// The `sha256:…` digest in `docker push` / `podman push` output.
    static func digest(inPushOutput text: String) -> String? {
        for line in text.split(separator: "\n").reversed() {
            guard let range = line.range(of: "sha256:") else { continue }
            let hex = line[range.upperBound...].prefix { $0.isHexDigit }
            if hex.count == 64 { return "sha256:" + hex }
        }
        return nil
    }

    // MARK: - Building

    private func buildLocked() async throws -> Result {
        let hash = contentHash
        let reference = settings.reference.description
        let stamp = Date().formatted(Date.ISO8601FormatStyle()).replacingOccurrences(of: ":", with: "")
        let work = cacheDirectory.appendingPathComponent("build/\(hash.prefix(16))-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        try? FileManager.default.removeItem(at: work)
        let context = work.appendingPathComponent("context")
        try definition.writeContext(to: context, settings: settings, runbookBinary: try runbookBinary())
        await stripBinary(in: context)

        let logPath = cacheDirectory.appendingPathComponent("logs/build-\(hash.prefix(16))-\(stamp).log").path
        let progress = BuildProgress(
            logPath: logPath, style: progressStyle, secrets: settings.inputs.secrets, write: write)
        write(
            "building \(reference) (content \(hash.prefix(16))) with \(engine.kind.rawValue) from "
                + "\(settings.baseImage); log: \(logPath)\n")
        let idFile = work.appendingPathComponent("image-id").path
        let request = BuildRequest(
            context: context.path, idFile: idFile, buildArguments: definition.buildArguments(settings),
            labels: definition.labels(settings, hash: hash))
        let status = try await runner.stream(engine.build(request)) { progress.line($0.text) }
        let tail = progress.finish()
        guard status == 0 else {
            try await checkEngine()
            if progressStyle != .plain { write(tail.map { "  | \($0)\n" }.joined()) }
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            let cause = BuildFailure.explain(log: log, inputs: settings.inputs).map { "\n" + $0 } ?? ""
            throw RunbookError.software(
                "building \(reference) failed (exit \(status)) after \(Int(progress.elapsedSeconds)) s; "
                    + "\(reference) and its tags are as they were; full log: \(logPath)\(cause)")
        }
        let built = try readID(idFile)
        let stamped = try await stampCollections(built, work: work)
        // Tag only now that the image is complete and checked: a failed build never moves a tag.
        try await tag(stamped, contentReference.description)
        try await tag(stamped, reference)
        let image = try await require(reference)
        write("built \(reference) in \(Int(progress.elapsedSeconds)) s (\(image.id.prefix(19)))\n")
        return Result(outcome: .built, image: image, logPath: logPath)
    }

    /// Checks the built image runs runbook, reads its collection and role versions, and adds them as
    /// labels (a metadata-only build `FROM` the image); returns the new image's id.
    private func stampCollections(_ id: String, work: URL) async throws -> String {
        let script =
            "cat \(ImageDefinition.collectionVersionsPath) && echo && (cat \(ImageDefinition.roleVersionsPath) "
            + "2>/dev/null || echo '{}') && runbook --version >/dev/null"
        let output = try await runner.capture(engine.run(ContainerRunSpec(image: id, command: ["sh", "-c", script])))
        guard output.status == 0 else {
            throw RunbookError.software(
                "the built image cannot run runbook; copy in a binary built with `swift build "
                    + "--static-swift-stdlib` (--runbook-binary / RUNBOOK_IMAGE_BINARY)",
                cause: lastLine(output.standardError))
        }
        let documents = output.standardOutput.split(separator: "\n").map {
            (try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))) ?? [:]
        }
        func label(_ versions: [String: String]) -> String {
            versions.keys.sorted().map { "\($0)=\(versions[$0] ?? "?")" }.joined(separator: " ")
        }
        let collections = label(documents.first ?? [:])
        let roles = documents.count > 1 ? label(documents[1]) : ""
        let labelContext = work.appendingPathComponent("labels")
        try FileManager.default.createDirectory(at: labelContext, withIntermediateDirectories: true)
        try Data("FROM \(id)\n".utf8).write(to: labelContext.appendingPathComponent("Dockerfile"))
        let idFile = work.appendingPathComponent("stamped-id").path
        var stampEngine = engine
        stampEngine.network = nil
        let request = BuildRequest(
            context: labelContext.path, idFile: idFile,
            labels: [ImageDefinition.Label.collections: collections, ImageDefinition.Label.roles: roles])
        let stamp = try await runner.capture(stampEngine.build(request))
        guard stamp.status == 0 else {
            throw RunbookError.software("labelling the built image failed", cause: lastLine(stamp.standardError))
        }
        return try readID(idFile)
    }

    private func readID(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            case let id = text.trimmingCharacters(in: .whitespacesAndNewlines), !id.isEmpty
        else { throw RunbookError.software("the engine wrote no image id to \(path)") }
        return id
    }

    /// Strips the context's runbook binary (symbols are a third of an unstripped static build) when a
    /// `strip` is on PATH; the file it was linked from is never touched (`strip -o` writes a new file).
    private func stripBinary(in context: URL) async {
        let binary = context.appendingPathComponent("runbook").path
        let stripped = binary + ".stripped"
        guard let output = try? await runner.capture(ProcessSpec("strip", ["--strip-all", "-o", stripped, binary])),
            output.status == 0
        else {
            try? FileManager.default.removeItem(atPath: stripped)
            return
        }
        try? FileManager.default.removeItem(atPath: binary)
        try? FileManager.default.moveItem(atPath: stripped, toPath: binary)
    }

    /// The binary copied into the image: the configured one, else the running executable.
    private func runbookBinary() throws -> String {
        if let binary = settings.runbookBinary { return binary }
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        throw RunbookError.software("cannot find runbook's own executable; pass --runbook-binary")
    }

    // MARK: - Engine calls

    private func takeLock() async throws -> FileLock {
        let name = settings.reference.repository.map { $0.isLetter || $0.isNumber ? $0 : "_" }
        let path = cacheDirectory.appendingPathComponent("locks/image-\(String(name)).lock").path
        let reference = settings.reference.description
        let write = self.write
        return try await FileLock.acquire(path) {
            write("waiting for another runbook process that is preparing \(reference)…\n")
        }
    }

    /// The image under `reference`, or nil when there is none.
    func inspect(_ reference: String) async throws -> ImageInfo? {
        let output = try await capture(engine.inspectImage(reference))
        if output.status == 0, let image = ImageInfo(inspectJSON: output.standardOutput) { return image }
        let text = output.standardError.lowercased()
        if text.contains("no such image") || text.contains("image not known") || text.contains("not found") {
            return nil
        }
        try await checkEngine()
        if output.status == 0 {
            throw RunbookError.software("cannot read `\(engine.kind.rawValue) image inspect` output for \(reference)")
        }
        return nil
    }

    private func require(_ reference: String) async throws -> ImageInfo {
        guard let image = try await inspect(reference) else {
            throw RunbookError.software("\(reference) is missing right after it was tagged")
        }
        return image
    }

    private func tag(_ source: String, _ target: String) async throws {
        let output = try await capture(engine.tag(source, target))
        guard output.status == 0 else {
            try await checkEngine()
            throw RunbookError.software("tagging \(target) failed", cause: lastLine(output.standardError))
        }
    }

    /// Pulls `reference`; returns whether it worked (a failed pull is reported, not thrown).
    @discardableResult
    private func pull(_ reference: String) async throws -> Bool {
        let output = try await capture(engine.pull(reference))
        if output.status == 0 {
            write("pulled \(reference)\n")
            return true
        }
        try await checkEngine()
        write("note: could not pull \(reference): \(lastLine(output.standardError) ?? "exit \(output.status)")\n")
        return false
    }

    private func capture(_ spec: ProcessSpec) async throws -> ProcessOutput {
        do {
            return try await runner.capture(spec)
        } catch {
            throw RunbookError.unavailable(
                "\(engine.executable) is not installed or not on PATH; \(engine.kind.installHint)",
                cause: "\(error)")
        }
    }

    /// Throws `.unavailable` (exit 69) when the engine's daemon does not answer.
    private func checkEngine() async throws {
        if let error = await EngineDetector(runner: runner, path: "").unavailable(engine) { throw error }
    }

    private func lastLine(_ text: String) -> String? {
        text.split(separator: "\n").last.map(String.init)
    }
}
