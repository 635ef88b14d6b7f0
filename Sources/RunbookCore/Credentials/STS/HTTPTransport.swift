import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
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

/// The real transport, on URLSession.
public struct URLSessionTransport: HTTPTransport {
    /// Makes a transport.
    public init() {}

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        var urlRequest = URLRequest(url: request.url, timeoutInterval: seconds)
        urlRequest.httpMethod = request.method
        for header in request.headers where header.name.lowercased() != "host" {
            urlRequest.addValue(header.value, forHTTPHeaderField: header.name)
        }
        urlRequest.httpBody = request.body
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (data, response) = try await session.data(for: urlRequest)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            return HTTPResponse(status: status, body: data)
        } catch let error as URLError where error.code == .timedOut {
            throw HTTPTransportError.timedOut
        } catch {
            throw HTTPTransportError.unreachable(error.localizedDescription)
        }
    }
}
