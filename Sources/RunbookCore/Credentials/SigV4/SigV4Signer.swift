import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Signs requests with AWS Signature Version 4 (header form), as described in the AWS General Reference.
///
/// Paths are normalized (dot segments removed, repeated slashes collapsed) as for every service but S3.
public struct SigV4Signer: Sendable {
    /// The keys to sign with.
    public var credentials: AWSCredentials
    /// The region in the credential scope, such as `us-east-1`.
    public var region: String
    /// The service in the credential scope, such as `sts`.
    public var service: String

    /// Makes a signer.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Returns `request` with `X-Amz-Date`, `X-Amz-Security-Token` (when there is a session token)
    /// and `Authorization` added, signed at `date`.
    public func sign(_ request: SignableRequest, at date: Date) -> SignableRequest {
        var signed = request
        let stamp = Self.timestamp(date)
        if signed.header("x-amz-date") == nil {
            signed.headers.append(.init("X-Amz-Date", stamp))
        }
        if let token = credentials.sessionToken, signed.header("x-amz-security-token") == nil {
            signed.headers.append(.init("X-Amz-Security-Token", token))
        }
        signed.headers.append(.init("Authorization", authorization(for: signed, at: date)))
        return signed
    }

    /// The `Authorization` header value for a request that already carries its `X-Amz-Date` and any token header.
    public func authorization(for request: SignableRequest, at date: Date) -> String {
        let canonical = canonicalRequest(request)
        let toSign = stringToSign(canonicalRequest: canonical, at: date)
        let signature = hexString(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: signingKey(at: date)))
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope(at: date)), "
            + "SignedHeaders=\(signedHeaders(request)), Signature=\(signature)"
    }

    /// The canonical request (step 1 of SigV4).
    public func canonicalRequest(_ request: SignableRequest) -> String {
        let headers = canonicalHeaders(request)
        let headerBlock = headers.map { "\($0.name):\($0.value)\n" }.joined()
        let payloadHash = request.header("x-amz-content-sha256") ?? hexString(SHA256.hash(data: request.body))
        return [
            request.method.uppercased(),
            canonicalPath(request.path),
            canonicalQuery(request.query),
            headerBlock,
            headers.map(\.name).joined(separator: ";"),
            payloadHash,
        ].joined(separator: "\n")
    }

    /// The string to sign (step 2 of SigV4).
    public func stringToSign(canonicalRequest: String, at date: Date) -> String {
        [
            "AWS4-HMAC-SHA256", Self.timestamp(date), scope(at: date),
            hexString(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    public static func timestamp(_ date: Date) -> String {
        Formatting.timestamp(utcParts(date), date: "", middle: "T", time: "", suffix: "Z")
    }

    private func scope(at date: Date) -> String {
        "\(String(Self.timestamp(date).prefix(8)))/\(region)/\(service)/aws4_request"
    }

    private func signingKey(at date: Date) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)))
        }
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [String(Self.timestamp(date).prefix(8)), region, service, "aws4_request"] {
            key = hmac(key, part)
        }
        return key
    }

    private func signedHeaders(_ request: SignableRequest) -> String {
        canonicalHeaders(request).map(\.name).joined(separator: ";")
    }

    private func canonicalHeaders(_ request: SignableRequest) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for header in request.headers {
            let name = header.name.lowercased()
            if name == "authorization" { continue }
            merged[name, default: []].append(collapseWhitespace(header.value))
        }
        return merged.keys.sorted().map { ($0, merged[$0, default: []].joined(separator: ",")) }
    }
}

/// The path with dot segments removed and repeated slashes collapsed, each segment percent-encoded.
private func canonicalPath(_ path: String) -> String {
    var segments: [Substring] = []
    for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
        switch segment {
        case ".": continue
        case "..": _ = segments.popLast()
        default: segments.append(segment)
        }
    }
    let endsWithSlash = path.hasSuffix("/") && !segments.isEmpty
    let joined = "/" + segments.map { sigV4Encode(String($0)) }.joined(separator: "/")
    return endsWithSlash ? joined + "/" : joined
}

private func canonicalQuery(_ items: [SignableRequest.QueryItem]) -> String {
    let encoded: [(name: String, value: String)] = items.map { (sigV4Encode($0.name), sigV4Encode($0.value)) }
    let sorted = encoded.sorted { lhs, rhs in lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name }
    return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
}

/// Trims the value and turns every run of whitespace (including folded newlines) into one space.
private func collapseWhitespace(_ value: String) -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    return value.split(whereSeparator: isSpace).joined(separator: " ")
}

/// Calendar fields of a date in UTC, without Foundation's calendar machinery.
func utcParts(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
    let seconds = Int(date.timeIntervalSince1970.rounded(.down))
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = seconds - days * 86_400
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthPrime = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
    let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (year, month, day, secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
}
