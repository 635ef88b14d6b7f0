/// Turns an STS error response into a RunbookError with a plain sentence saying what to do.
enum STSErrorText {
    static func error(code: String?, message: String?, status: Int, action: String, endpoint: String) -> RunbookError {
        let detail = [code, message].compactMap { $0 }.joined(separator: ": ")
        let cause = detail.isEmpty ? "HTTP \(status)" : detail
        switch code ?? "" {
        case "InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId":
            return .credentials(
                "AWS does not know this access key (it was deleted, deactivated, or belongs to another partition); "
                    + "create a new key or pick another profile", cause: cause)
        case "SignatureDoesNotMatch":
            return .credentials(
                "AWS rejected the signature: the secret access key does not belong to this access key id; "
                    + "copy the secret again", cause: cause)
        case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
            return .credentials(
                "the session token has expired (or the clock is off by more than 5 minutes); get new credentials "
                    + "and check the system time", cause: cause)
        case "AccessDenied", "AccessDeniedException":
            return .credentials(
                "AWS denied \(action): the caller may not do this (for a role: its trust policy does not allow "
                    + "this caller); check the role's trust policy and the caller's permissions", cause: cause)
        case "InvalidIdentityToken", "IDPRejectedClaim", "IDPCommunicationError":
            return .credentials(
                "AWS rejected the web identity token; check the OIDC provider in IAM and the role's trust policy "
                    + "(audience and subject)", cause: cause)
        case "Throttling", "ThrottlingException", "RequestLimitExceeded":
            return .unavailable("STS is throttling requests; wait a moment and try again", cause: cause)
        case "RegionDisabledException":
            return .credentials(
                "STS is not activated in this region for the account; activate it in IAM or use another region",
                cause: cause)
        default:
            if status >= 500 || status == 0 {
                return .unavailable("STS at \(endpoint) failed to answer \(action); try again later", cause: cause)
            }
            return .credentials("STS refused \(action); check the credentials and the role", cause: cause)
        }
    }
}
