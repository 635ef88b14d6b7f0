#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The CA bundle the host trusts, which image builds hand to pip and ansible-galaxy in the build stage
/// so that behind a TLS-intercepting proxy nothing needs setting.
public enum HostCABundle {
    /// Variables naming the bundle the host's pip and Python trust, in the order pip reads them.
    public static let variables = ["PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"]

    /// The system bundles looked for after the variables (Debian/Ubuntu, Fedora/RHEL, Alpine/macOS).
    public static let systemBundles = [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem",
    ]

    /// The first readable file named by `variables`, else the first readable system bundle, with
    /// where it was found (`PIP_CERT`, or "the system bundle").
    public static func find(_ environment: [String: String], systemBundles: [String] = systemBundles)
        -> (path: String, origin: String)?
    {
        for name in variables {
            if let path = environment[name], !path.isEmpty, FileManager.default.isReadableFile(atPath: path) {
                return (path, "from \(name)")
            }
        }
        return systemBundles.first { FileManager.default.isReadableFile(atPath: $0) }.map { ($0, "the system bundle") }
    }
}
