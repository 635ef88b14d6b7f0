import CCurlShim
import Dispatch

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An HTTP request as runbook sends it.
public struct HTTPRequest: Sendable, Hashable {
    /// The method.
    public var method: String
    /// The full URL.
    public var url: URL
    /// The headers, in order.
    public var headers: [SignableRequest.Header]
    /// The body.
    public var body: Data

    /// Makes a request.
    public init(method: String, url: URL, headers: [SignableRequest.Header], body: Data = Data()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// An HTTP response: status and body.
public struct HTTPResponse: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// The body.
    public var body: Data

    /// Makes a response.
    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// Why a request got no response.
public enum HTTPTransportError: Error, Sendable, Hashable {
    /// No answer within the time allowed.
    case timedOut
    /// The connection failed; the text says how.
    case unreachable(String)
}

/// The seam runbook sends HTTP through; unit tests pass a fake.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and waits at most `timeout` for the whole response.
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse
}

/// The real transport, on the system libcurl (one request per call, run off the cooperative threads).
public struct CurlTransport: HTTPTransport {
    /// Makes a transport.
    public init() {}

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let milliseconds = max(1, Durations.milliseconds(timeout))
        let headers = request.headers.filter { $0.name.lowercased() != "host" }.map { "\($0.name): \($0.value)" }
        let method = request.method
        let url = request.url.absoluteString
        let body = [UInt8](request.body)
        // libcurl blocks its thread for the whole request; a Dispatch thread keeps the cooperative pool free.
        let outcome: Result<HTTPResponse, HTTPTransportError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    returning: perform(
                        method: method, url: url, headers: headers, body: body, milliseconds: milliseconds))
            }
        }
        return try outcome.get()
    }
}

private func perform(
    method: String, url: String, headers: [String], body: [UInt8], milliseconds: Int
) -> Result<HTTPResponse, HTTPTransportError> {
    var result = runbook_http_result()
    var lines = headers.map { strdup($0) }
    defer { lines.forEach { free($0) } }
    lines.withUnsafeMutableBufferPointer { pointers in
        pointers.withMemoryRebound(to: UnsafePointer<CChar>?.self) { constPointers in
            body.withUnsafeBufferPointer { bytes in
                runbook_http_perform(
                    method, url, constPointers.baseAddress, constPointers.count, bytes.baseAddress, bytes.count,
                    milliseconds, &result)
            }
        }
    }
    defer { runbook_http_result_free(&result) }
    switch result.failure {
    case 0:
        let data = result.body.map { Data(bytes: $0, count: result.body_length) } ?? Data()
        return .success(HTTPResponse(status: Int(result.status), body: data))
    case 1:
        return .failure(.timedOut)
    default:
        let message = withUnsafeBytes(of: result.error) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return .failure(.unreachable(message))
    }
}
