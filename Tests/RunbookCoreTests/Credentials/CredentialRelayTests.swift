import Foundation
import Synchronization
import Testing

@testable import RunbookCore

/// The loopback credentials endpoint (answered for real on 127.0.0.1 and read by runbook's own
/// container-credentials client), the refresher's schedule and loop, the masker's later secrets and
/// the process runner's input feed.
@Suite struct CredentialRelayTests {
    let temporary = AWSCredentials(
        accessKeyId: "ASIAEXAMPLERELAY0001", secretAccessKey: "relay-secret-0001-abcdefghijklmnopqrstuvw",
        sessionToken: "relay-session-token-0001", expiration: Date(timeIntervalSince1970: 1_900_000_000))

    private func client(_ server: CredentialsServer, token: String) throws -> (ContainerCredentialsClient, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = folder + "/token"
        try Data(token.utf8).write(to: URL(fileURLWithPath: file))
        let environment = CredentialEnvironment(
            variables: [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": file,
            ],
            homeDirectory: folder)
        return (ContainerCredentialsClient(transport: CurlTransport(), environment: environment), folder)
    }

    @Test func servesTheCredentialsAndTheirUpdatesOnLoopback() async throws {
        let server = try CredentialsServer(credentials: ServedCredentials(temporary, account: "123456789012"))
        defer { server.close() }
        #expect(server.url.hasPrefix("http://127.0.0.1:"))
        #expect(server.token.count == 64)
        let (client, folder) = try client(server, token: server.token)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try await client.credentials()
        #expect(first == temporary)

        var next = temporary
        next.accessKeyId = "ASIAEXAMPLERELAY0002"
        next.expiration = Date(timeIntervalSince1970: 1_900_003_600)
        server.update(ServedCredentials(next))
        #expect(try await client.credentials() == next)
        // At least the two answers asked for (a client under load may ask again).
        #expect(server.served >= 2)
    }

    @Test func refusesAWrongTokenAsTheClientReportsIt() async throws {
        let server = try CredentialsServer(credentials: ServedCredentials(temporary))
        defer { server.close() }
        let (client, folder) = try client(server, token: String(repeating: "0", count: 64))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            _ = try await client.credentials()
            Issue.record("a wrong token got credentials")
        } catch let error as RunbookError {
            #expect(error.status == .noPermission)
            #expect(error.message.contains("refused the request (HTTP 403)"), "\(error.message)")
        }
        #expect(server.served == 0)
    }

    @Test func longTermKeysGoWithAnEmptyTokenAndAnExpiryAnHourAhead() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let keys = AWSCredentials(
            accessKeyId: "AKIAEXAMPLELONGTERM1", secretAccessKey: "long-term-secret-value-0123456789")
        let server = try CredentialsServer(credentials: ServedCredentials(keys), now: { now })
        defer { server.close() }
        let (status, body) = server.respond(to: "GET /credentials HTTP/1.1\r\nAuthorization: \(server.token)")
        #expect(status == 200)
        let document = try JSONDecoder().decode(ServedCredentials.self, from: Data(body))
        #expect(document.Token == "")
        #expect(document.Expiration == formatTimestamp(now.addingTimeInterval(3600)))
        #expect(ServedCredentials(keys).secrets == ["long-term-secret-value-0123456789"])
    }

    @Test(arguments: [
        ("POST /credentials HTTP/1.1", 405), ("GET /other HTTP/1.1", 404), ("garbage", 400),
        ("GET /credentials HTTP/1.1", 403),
    ])
    func answersOtherRequestsWithoutCredentials(requestLine: String, status: Int) throws {
        let server = try CredentialsServer(credentials: ServedCredentials(temporary))
        defer { server.close() }
        let (answer, body) = server.respond(to: requestLine + "\r\nHost: 127.0.0.1")
        #expect(answer == status)
        #expect(!String(decoding: body, as: UTF8.self).contains("relay-secret"))
        #expect(server.served == 0)
    }

    @Test func refreshesAtTheMarginOrAtHalfTheRemainingLife() {
        let fetched = Date(timeIntervalSince1970: 1_000_000)
        let hour = fetched.addingTimeInterval(3600)
        #expect(CredentialRefresher.delay(expiration: hour, fetched: fetched, margin: .seconds(900)) == .seconds(2700))
        #expect(CredentialRefresher.delay(expiration: hour, fetched: fetched, margin: .seconds(3595)) == .seconds(5))
        let quarter = fetched.addingTimeInterval(900)
        #expect(
            CredentialRefresher.delay(expiration: quarter, fetched: fetched, margin: .seconds(900)) == .seconds(450))
        let expired = fetched.addingTimeInterval(-60)
        #expect(CredentialRefresher.delay(expiration: expired, fetched: fetched, margin: .seconds(900)) == .seconds(2))
    }

    @Test func theLoopDeliversEachRefreshRetriesAfterAFailureAndStopsWhenCancelled() async throws {
        let calls = Mutex(0)
        let delivered = Mutex<[String]>([])
        let logged = Mutex<[String]>([])
        // A clock that stands still, so the schedule does not depend on how loaded the machine is:
        // every set expires 0.1 s past the margin, so the next refresh is due at the minimum delay.
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var refresher = CredentialRefresher(margin: .seconds(3600), now: { start }) {
            let call = calls.withLock { count in
                count += 1
                return count
            }
            if call == 2 { throw RunbookError.unavailable("STS did not answer") }
            let keys = AWSCredentials(
                accessKeyId: "ASIAEXAMPLEREFRESH\(call)0", secretAccessKey: "refresh-secret-\(call)",
                sessionToken: "token-\(call)", expiration: start.addingTimeInterval(3600.1))
            return ResolvedCredentials(
                credentials: keys, region: nil, source: .environment,
                identity: CallerIdentity(account: "123456789012", arn: "arn:aws:iam::123456789012:user/t", userId: "U"))
        }
        refresher.minimumDelay = .milliseconds(50)
        refresher.retryDelay = .milliseconds(50)
        let task = Task {
            await refresher.run(
                expiration: start.addingTimeInterval(3600.1),
                deliver: { fresh in delivered.withLock { $0.append(fresh.credentials.accessKeyId) } },
                log: { line in logged.withLock { $0.append(line) } })
        }
        while delivered.withLock({ $0.count }) < 3 { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        await task.value
        let ids = delivered.withLock { $0 }
        #expect(Array(ids.prefix(3)) == ["ASIAEXAMPLEREFRESH10", "ASIAEXAMPLEREFRESH30", "ASIAEXAMPLEREFRESH40"])
        let lines = logged.withLock { $0 }
        #expect(lines.contains { $0.contains("cannot refresh the AWS credentials (STS did not answer)") })
        #expect(lines.contains { $0.contains("credentials refreshed: key ASIA…SH10") })
        #expect(!lines.joined().contains("refresh-secret"))
        let after = calls.withLock { $0 }
        try await Task.sleep(for: .milliseconds(200))
        #expect(calls.withLock { $0 } == after, "the loop went on after cancel")
    }

    @Test func secretsAddedLaterAreMaskedByEveryCopy() {
        let masker = SecretMasker(secrets: ["first-secret"])
        let copy = masker
        masker.add(["second-secret", "abc"])
        #expect(copy("first-secret second-secret abc") == "**** **** abc")
    }

    @Test func theInputFeedReachesARunningChildInOrder() async throws {
        let feed = InputFeed()
        var spec = ProcessSpec("/bin/cat")
        spec.input = Data("one\n".utf8)
        spec.inputFeed = feed
        let lines = Mutex<[String]>([])
        let status = try await SubprocessRunner().stream(spec) { line in
            let count = lines.withLock { lines in
                lines.append(line.text)
                return lines.count
            }
            if count == 1 { feed.send(Data("two\n".utf8)) }
            if count == 2 {
                feed.send(Data("three\n".utf8))
                feed.finish()
            }
        }
        #expect(status == 0)
        #expect(lines.withLock { $0 } == ["one", "two", "three"])
    }

    @Test func theEntryHidesEveryOtherCredentialSourceFromAnsible() {
        let variables = PlaybookEntry.endpointEnvironment(url: "http://127.0.0.1:1/credentials", tokenFile: "/t")
        #expect(variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"] == .some("http://127.0.0.1:1/credentials"))
        #expect(variables["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] == .some("/t"))
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"] {
            #expect(variables[name] == .some(nil), "\(name) is not removed")
        }
        #expect(variables["AWS_SHARED_CREDENTIALS_FILE"] == .some("/dev/null"))
    }
}
