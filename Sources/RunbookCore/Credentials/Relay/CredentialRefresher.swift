#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Gets new temporary credentials on the host before the ones the endpoint serves expire (roles,
/// SSO, web identity, MFA sessions, container and instance credentials are all re-resolved the
/// same way), and hands each set to `deliver`.
public struct CredentialRefresher: Sendable {
    /// How long before expiry to refresh (the `refresh_margin` setting).
    public var margin: Duration
    /// The clock.
    public var now: @Sendable () -> Date
    /// Resolves credentials again, as at the start of the run.
    public var resolve: @Sendable () async throws -> ResolvedCredentials
    /// How long to wait after a failed refresh.
    public var retryDelay: Duration = .seconds(30)
    /// The shortest wait between two refreshes.
    public var minimumDelay: Duration = .seconds(2)

    /// Makes a refresher.
    public init(
        margin: Duration, now: @escaping @Sendable () -> Date,
        resolve: @escaping @Sendable () async throws -> ResolvedCredentials
    ) {
        self.margin = margin
        self.now = now
        self.resolve = resolve
    }

    /// How long to wait before refreshing credentials that expire at `expiration`, fetched at
    /// `fetched`: until `margin` before expiry, or half their remaining life when that is shorter
    /// than the margin; never less than `minimum`.
    public static func delay(
        expiration: Date, fetched: Date, margin: Duration, minimum: Duration = .seconds(2)
    ) -> Duration {
        let remaining = expiration.timeIntervalSince(fetched)
        let wait = remaining > seconds(margin) ? remaining - seconds(margin) : remaining / 2
        return .milliseconds(Int64(max(wait, seconds(minimum)) * 1000))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Refreshes until the task is cancelled, starting from credentials that expire at `expiration`;
    /// a failed refresh is logged (the endpoint keeps serving what it has) and tried again later.
    public func run(
        expiration: Date, deliver: @Sendable (ResolvedCredentials) -> Void, log: @Sendable (String) -> Void
    ) async {
        var wait = Self.delay(expiration: expiration, fetched: now(), margin: margin, minimum: minimumDelay)
        var expiration = expiration
        while true {
            do {
                try await Task.sleep(for: wait)
            } catch {
                return
            }
            do {
                let fresh = try await resolve()
                if Task.isCancelled { return }
                deliver(fresh)
                guard let next = fresh.credentials.expiration else {
                    log("runbook: credentials refreshed: key \(fresh.credentials.maskedKeyId), no expiry\n")
                    return
                }
                log(
                    "runbook: credentials refreshed: key \(fresh.credentials.maskedKeyId), "
                        + "expire \(formatTimestamp(next))\n")
                expiration = next
                wait = Self.delay(expiration: next, fetched: now(), margin: margin, minimum: minimumDelay)
            } catch {
                if Task.isCancelled { return }
                let reason = (error as? RunbookError)?.message ?? "\(error)"
                log(
                    "runbook: warning: cannot refresh the AWS credentials (\(reason)); the endpoint keeps serving "
                        + "the current ones, which expire \(formatTimestamp(expiration)); trying again in "
                        + "\(retryDelay.components.seconds) s\n")
                wait = retryDelay
            }
        }
    }
}
