/// Something that can say whether an Ansible host pattern (`web`, `web:&prod`, `!db`, `web[0:2]`)
/// selects any host. A static inventory conforms; the playbook validator uses it for the
/// "hosts pattern matches nothing" warning.
public protocol HostPatternMatching: Sendable {
    /// Whether `pattern` selects at least one host; nil when it cannot be judged statically
    /// (templates, dynamic inventory plugins).
    func matchesAnyHost(_ pattern: String) -> Bool?
    /// The names in `pattern` that match no group and no host: what Ansible warns about as "Could not
    /// match supplied host pattern". An existing group without hosts is matched. Nil when not judgeable.
    func unmatchedNames(_ pattern: String) -> [String]?
}
