#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Ansible's reading of a host entry (`name`, `name:port`, `[v6::addr]:port`, with optional ranges).
enum HostAddress {
    private static let range = #"\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]"#
    // Ansible's label ends with a look-behind, (?<![_-]); Swift's Regex has none, so the last element
    // is spelled out instead: a word character other than `_`, or a range.
    private static let label = #"(?:(?:[\w]|\#(range))(?:[\w-]|\#(range))*)?(?:[^\W_]|\#(range))"#
    private static let ipv4Part = #"(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|\[[0-9]+:[0-9]+(?::[0-9]+)?\])"#
    private static let hostname = regex(#"^\#(label)(?:\.\#(label))*$"#)
    private static let ipv4 = regex(#"^(?:\#(ipv4Part)\.){3}\#(ipv4Part)$"#)
    private static let ipv6 = regex(#"^[0-9a-f:.\[\]]*:[0-9a-f:.\[\]]*:[0-9a-f:.\[\]]*$"#)
    private static let bracketedPort = regex(#"^\[(.+)\]:([0-9]+)$"#)
    private static let hostPort = regex(#"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$"#)

    /// The host part and port of `entry`, or the whole entry and no port when it is not an address.
    static func split(_ entry: String) -> (host: String, port: Int?) {
        var address = entry
        var port: Int?
        for pattern in [bracketedPort, hostPort] {
            if let groups = match(pattern, address), groups.count == 2 {
                address = groups[0]
                port = Int(groups[1])
            }
        }
        guard isHost(address) else { return (entry, nil) }
        return (address, port)
    }

    /// Whether `entry` reads as a host, IPv4 or IPv6 address with an optional port.
    static func isAddress(_ entry: String) -> Bool {
        let (host, port) = split(entry)
        return port != nil || host != entry || isHost(entry)
    }

    private static func isHost(_ text: String) -> Bool {
        [ipv4, ipv6, hostname].contains { match($0, text) != nil }
    }

    /// The groups that took part in the first match (as NSRegularExpression's ranges gave them), or nil.
    private static func match(_ pattern: TextPattern?, _ text: String) -> [String]? {
        pattern?.groups(in: text)?.compactMap { $0 }
    }

    private static func regex(_ pattern: String) -> TextPattern? {
        TextPattern(pattern, ignoringCase: true)
    }
}

extension HostAddress {
    /// The host names an inventory host entry stands for: its port removed and its ranges expanded.
    /// `iniRules` adds the INI plugin's checks (no trailing `:`, no `---`).
    static func hostNames(_ entry: String, iniRules: Bool = false) throws(InventoryProblem) -> [String] {
        let (host, port) = split(entry)
        let names = HostRange.hasRange(host) ? try HostRange.expand(host) : [host]
        if iniRules {
            if port == nil, entry.hasSuffix(":") {
                throw InventoryProblem(
                    "host '\(entry)' ends in ':', which is reserved for a port; add the port number or remove the ':'")
            }
            if names.contains("---") {
                throw InventoryProblem("host '---' is a sign this is a YAML file; give it a .yml extension")
            }
        }
        return names
    }
}
