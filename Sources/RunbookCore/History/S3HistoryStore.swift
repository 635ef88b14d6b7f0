#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Team history in S3: each finished run is one gzip JSON object (`RunDocument`) under
/// `PREFIX/runs/YYYYMMDDTHHMMSSZ-ID.json.gz`, so keys sort by start and a listing can begin at a date.
/// `runs --from` copies new objects into a local SQLite cache and answers from it with the same
/// queries as the local history.
public struct S3HistoryStore: Sendable {
    /// The S3 calls.
    public var client: S3Client

    /// Makes a store.
    public init(client: S3Client) {
        self.client = client
    }

    private var runsPrefix: String {
        (client.location.prefix.isEmpty ? "" : client.location.prefix + "/") + "runs/"
    }

    /// The key of a run's object.
    public func key(for run: RecordedRun) -> String {
        runsPrefix + SigV4Signer.timestamp(run.started) + "-" + run.id + ".json.gz"
    }

    /// Writes `document` (gzip JSON); its key.
    @discardableResult
    public func put(_ document: RunDocument) async throws -> String {
        let key = key(for: document.run)
        let body = try Gzip.compress(try document.encoded())
        try await client.put(key, body: body, contentType: "application/json", contentEncoding: "gzip")
        return key
    }

    /// Copies the runs not yet in `cache` (started at `since` or later) into it; how many were new.
    /// An object that is not a run document is skipped with a warning, not fatal.
    @discardableResult
    public func sync(into cache: HistoryStore, since: Date? = nil, warn: (String) -> Void = { _ in }) async throws
        -> Int
    {
        let startAfter = since.map { runsPrefix + SigV4Signer.timestamp($0.addingTimeInterval(-1)) + "~" }
        let keys = try await client.list(prefix: runsPrefix, startAfter: startAfter)
        let known = try cache.ids()
        var added = 0
        for key in keys where key.hasSuffix(".json.gz") {
            let name = key.dropFirst(runsPrefix.count).dropLast(".json.gz".count)
            guard let dash = name.lastIndex(of: "-") else { continue }
            let id = String(name[name.index(after: dash)...])
            guard !known.contains(id) else { continue }
            do {
                // URLSession undoes the object's Content-Encoding: gzip itself; other clients may not.
                let body = try await client.get(key)
                let data = body.starts(with: [0x1f, 0x8b]) ? try Gzip.decompress(body) : body
                let document = try RunDocument.decoder.decode(RunDocument.self, from: data)
                try cache.store(document)
                added += 1
            } catch let error as RunbookError {
                throw error
            } catch {
                warn("runbook: warning: s3://\(client.location.bucket)/\(key) is not a run document: \(error)\n")
            }
        }
        return added
    }

    /// The local cache of `location`: `$XDG_CACHE_HOME/runbook/history-s3/BUCKET/PREFIX.sqlite`.
    public static func cachePath(for location: S3Location, environment: [String: String]) -> String {
        let base = runbookCacheDirectory(environment: environment).path
        let name = location.prefix.isEmpty ? "_" : location.prefix.replacingOccurrences(of: "/", with: "%2F")
        return "\(base)/history-s3/\(location.bucket)/\(name).sqlite"
    }
}
