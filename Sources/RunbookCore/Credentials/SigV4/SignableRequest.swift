#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An HTTP request in the parts SigV4 signs: method, decoded path, decoded query pairs, headers, body.
public struct SignableRequest: Sendable, Hashable {
    /// The method, such as `POST`.
    public var method: String
    /// The path, not percent-encoded (the signer encodes it), such as `/`.
    public var path: String
    /// The query parameters, not percent-encoded, in any order.
    public var query: [QueryItem]
    /// The headers in the order they will be sent; names in any case; repeats allowed.
    public var headers: [Header]
    /// The body.
    public var body: Data

    /// One query parameter.
    public struct QueryItem: Sendable, Hashable {
        /// The name.
        public var name: String
        /// The value (empty for `?name`).
        public var value: String

        /// Makes a query parameter.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// One header.
    public struct Header: Sendable, Hashable {
        /// The name as sent.
        public var name: String
        /// The value as sent.
        public var value: String

        /// Makes a header.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Makes a request.
    public init(method: String, path: String, query: [QueryItem] = [], headers: [Header], body: Data = Data()) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name` (any case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
