import Foundation
import Testing

@testable import RunbookCore

/// One case of the AWS SigV4 test suite: a raw request and the expected intermediate and final results.
private struct SigV4Vector: CustomTestStringConvertible, Sendable {
    var name: String
    var folder: URL

    var testDescription: String { name }

    func file(_ suffix: String) throws -> String {
        let base = folder.lastPathComponent
        return try String(contentsOf: folder.appendingPathComponent("\(base).\(suffix)"), encoding: .utf8)
    }

    /// Parses the `.req` file: request line, headers (indented lines continue the previous header), blank line, body.
    func request() throws -> SignableRequest {
        let raw = try file("req")
        var lines = raw.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        // The path may contain spaces (get-space): the method is the first word and the version the last.
        let method = String(requestLine.prefix { $0 != " " })
        guard let versionStart = requestLine.range(of: " HTTP/", options: .backwards) else {
            throw SigV4VectorError.malformed(name)
        }
        let target = String(requestLine[requestLine.index(after: method.endIndex)..<versionStart.lowerBound])
        var headers: [SignableRequest.Header] = []
        var bodyLines: [String]?
        for line in lines {
            if bodyLines != nil {
                bodyLines?.append(line)
            } else if line.isEmpty {
                bodyLines = []
            } else if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(.init(String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let (path, queryText) =
            target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) }
            ?? (target, "")
        let query = queryText.split(separator: "&").map { pair -> SignableRequest.QueryItem in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return .init(percentDecode(parts[0]), parts.count > 1 ? percentDecode(parts[1]) : "")
        }
        let body = Data((bodyLines ?? []).joined(separator: "\n").utf8)
        return SignableRequest(method: method, path: path, query: query, headers: headers, body: body)
    }
}

private enum SigV4VectorError: Error {
    case malformed(String)
}

private let vectorRoot = Bundle.module.resourceURL?.appendingPathComponent("Fixtures/sigv4")

/// Every folder with a `.req` file under Fixtures/sigv4.
private let vectors: [SigV4Vector] = {
    guard let root = vectorRoot,
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
    else { return [] }
    var found: [SigV4Vector] = []
    for case let url as URL in enumerator where url.pathExtension == "req" {
        let folder = url.deletingLastPathComponent()
        let name = String(folder.path.dropFirst(root.path.count + 1))
        found.append(SigV4Vector(name: name, folder: folder))
    }
    return found.sorted { $0.name < $1.name }
}()

private let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

@Suite struct SigV4VectorTests {
    @Test func theSuiteIsPresent() {
        #expect(vectors.count >= 30)
    }

    @Test(arguments: vectors)
    fileprivate func signsLikeTheTestSuite(_ vector: SigV4Vector) throws {
        let request = try vector.request()
        let token =
            vector.name == "get-vanilla-with-session-token"
            ? "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267" : nil
        let credentials = AWSCredentials(
            accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: token)
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        var withToken = request
        if let token { withToken.headers.append(.init("X-Amz-Security-Token", token)) }
        let canonical = signer.canonicalRequest(withToken)
        #expect(canonical == (try vector.file("creq")))
        #expect(signer.stringToSign(canonicalRequest: canonical, at: suiteDate) == (try vector.file("sts")))
        #expect(signer.authorization(for: withToken, at: suiteDate) == (try vector.file("authz")))
        let signed = signer.sign(request, at: suiteDate)
        #expect(signed.header("authorization") == (try vector.file("authz")))
    }

    @Test func timestampIsUTC() {
        #expect(SigV4Signer.timestamp(suiteDate) == "20150830T123600Z")
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "20000229T000000Z")
    }
}
