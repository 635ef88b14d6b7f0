/// Combines two `--limit` patterns into one that selects the hosts both select (a target's limit and the
/// command line's), written in Ansible's pattern language: plain parts are a union, then every `&part`
/// intersects and every `!part` excludes, whatever their order.
public enum HostLimit {
    /// The pattern selecting what both `first` and `second` select; either may be nil.
    ///
    /// Ansible has one union per pattern, so the result can be written only when one side has at most one
    /// plain part (it becomes an `&` part of the other); otherwise a usage error (64) says so.
    public static func intersect(_ first: String?, _ second: String?, names: (String, String)) throws -> String? {
        guard let first, !first.isEmpty else { return second }
        guard let second, !second.isEmpty else { return first }
        let a = Parts(first)
        let b = Parts(second)
        let (kept, folded): (Parts, Parts)
        if b.plain.count <= 1, b.plain.first.map({ !$0.hasPrefix("@") }) ?? true {
            (kept, folded) = (a, b)
        } else if a.plain.count <= 1, a.plain.first.map({ !$0.hasPrefix("@") }) ?? true {
            (kept, folded) = (b, a)
        } else {
            throw RunbookError.usage(
                "the limits \(names.0) '\(first)' and \(names.1) '\(second)' cannot be combined into one Ansible "
                    + "pattern (each is a union of several parts); write one of them as a single group or host")
        }
        let parts =
            (kept.plain.isEmpty ? ["all"] : kept.plain) + folded.plain.map { "&" + $0 } + kept.intersections
            + folded.intersections + kept.exclusions + folded.exclusions
        return parts.joined(separator: ",")
    }

    private struct Parts {
        var plain: [String] = []
        var intersections: [String] = []
        var exclusions: [String] = []

        /// A union with `all` in it is every host: no plain part.
        init(_ pattern: String) {
            var everything = false
            for part in StaticInventory.splitPattern(pattern) {
                if part.hasPrefix("&") {
                    intersections.append(part)
                } else if part.hasPrefix("!") {
                    exclusions.append(part)
                } else if part == "all" || part == "*" {
                    everything = true
                } else {
                    plain.append(part)
                }
            }
            if everything { plain = [] }
        }
    }
}
