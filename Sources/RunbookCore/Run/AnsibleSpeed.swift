#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `fast` setting: ansible settings that make runs in runbook's image faster than ansible's defaults,
/// each applied only where neither the workspace's ansible.cfg nor the environment (nor `--forks`) sets
/// it already.
///
/// - SSH pipelining (`ANSIBLE_PIPELINING`): a module runs over one SSH session instead of a temporary
///   file put and run in several; it needs sudo without `requiretty` for become (the sudoers default on
///   current distributions).
/// - Forks from the number of hosts (`ANSIBLE_FORKS`): as many workers as the run's hosts, from
///   ansible's 5 up to `maximumForks`; when a dynamic inventory hides the count, `unknownCountForks`.
///   ansible never starts more workers than a play's batch has hosts, so a larger number costs small
///   inventories nothing.
///
/// The `mitogen` setting (off by default) adds mitogen's `mitogen_linear` strategy, shipped in the image,
/// unless ansible.cfg or the environment picks a strategy or strategy plugins.
///
/// ControlPersist needs nothing: ansible's own ssh_args keep each host's master connection for 60 s,
/// its control sockets in `~/.ansible/cp`, which is the container's tmpfs HOME.
struct AnsibleSpeed: Sendable {
    /// The most forks chosen from a host count.
    static let maximumForks = 50
    /// Forks when the inventory is dynamic (a script or plugin) and the count cannot be known beforehand.
    static let unknownCountForks = 20
    /// ansible's own default.
    static let ansibleForks = 5

    /// The variables to set, and one line saying what was chosen and why.
    var variables: [String: String] = [:]
    var summary: String?

    /// Works out the variables for a run.
    ///
    /// `environment` is runbook's (a variable set there reaches ansible in-image, and by `--env NAME` in a
    /// container: either way the user chose it); `hostCount` is the number of hosts the run selects,
    /// nil when a dynamic inventory hides it.
    init(
        enabled: Bool, mitogen: Bool = false, config: AnsibleConfig, environment: [String: String], forksFlag: Int?,
        hostCount: Int?
    ) {
        var chosen: [String] = []
        var left: [String] = []
        if mitogen {
            if let set = ["ANSIBLE_STRATEGY", "ANSIBLE_STRATEGY_PLUGINS"].first(where: { environment[$0] != nil }) {
                left.append("the strategy (\(set) is set)")
            } else if let set = config.strategy {
                left.append("the strategy (ansible.cfg sets \(set))")
            } else {
                variables["ANSIBLE_STRATEGY_PLUGINS"] = Self.mitogenStrategies
                variables["ANSIBLE_STRATEGY"] = "mitogen_linear"
                chosen.append("mitogen_linear strategy")
            }
        }
        defer {
            if !chosen.isEmpty {
                summary =
                    (enabled ? "fast: " : "") + chosen.joined(separator: ", ")
                    + (left.isEmpty ? "" : "; left as set: " + left.joined(separator: ", "))
                    + (enabled ? " (fast: false, RUNBOOK_FAST=false or --no-fast for ansible's defaults)" : "")
            } else if !left.isEmpty {
                summary = "left as set: " + left.joined(separator: ", ")
            }
        }
        guard enabled else { return }
        let pipeliningSet = ["ANSIBLE_PIPELINING", "ANSIBLE_SSH_PIPELINING"].first { environment[$0] != nil }
        if let pipeliningSet {
            left.append("pipelining (\(pipeliningSet) is set)")
        } else if config.pipelining != nil {
            left.append("pipelining (ansible.cfg sets it)")
        } else {
            variables["ANSIBLE_PIPELINING"] = "True"
            chosen.append("SSH pipelining")
        }
        if forksFlag != nil {
            left.append("forks (--forks)")
        } else if environment["ANSIBLE_FORKS"] != nil {
            left.append("forks (ANSIBLE_FORKS is set)")
        } else if config.forks != nil {
            left.append("forks (ansible.cfg sets it)")
        } else {
            let forks: Int
            let why: String
            if let hostCount {
                forks = min(max(hostCount, Self.ansibleForks), Self.maximumForks)
                why = "\(hostCount) host\(hostCount == 1 ? "" : "s")"
            } else {
                forks = Self.unknownCountForks
                why = "a dynamic inventory: host count unknown"
            }
            if forks != Self.ansibleForks {
                variables["ANSIBLE_FORKS"] = String(forks)
                chosen.append("forks \(forks) (\(why))")
            }
        }
    }

    /// mitogen's strategy plugins in runbook's image (a link the Dockerfile makes to the installed package).
    static let mitogenStrategies = "/opt/runbook/mitogen/plugins/strategy"

    /// The number of hosts the inventories and `limit` select, as far as the static reader knows; nil
    /// when a source is dynamic or a pattern cannot be judged.
    static func hostCount(_ inventories: [InventoryArgument], limit: String?) -> Int? {
        var hosts: Set<String> = []
        var matchers: [StaticInventory] = []
        for inventory in inventories {
            if let path = inventory.path {
                guard let matcher = InventoryReader().load(path, path).matcher as? StaticInventory else { return nil }
                matchers.append(matcher)
            } else {
                var list = StaticInventory()
                for name in inventory.value.split(separator: ",") {
                    let host = name.trimmingCharacters(in: .whitespaces)
                    if !host.isEmpty { list.addHost(host) }
                }
                matchers.append(list)
            }
        }
        for matcher in matchers {
            guard let selected = matcher.selectedHosts(limit ?? "all") else { return nil }
            hosts.formUnion(selected)
        }
        return hosts.count
    }
}
