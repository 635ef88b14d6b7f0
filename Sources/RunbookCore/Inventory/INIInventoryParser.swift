#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads an INI inventory (`[group]`, `[group:children]`, `[group:vars]`, host lines with `key=value`
/// variables and ranges) the way Ansible's `ini` plugin does, reporting every problem with its position.
struct INIInventoryParser {
    private struct Pending {
        var line: Int
        var column: Int
        var isVars: Bool
        var parents: [String]
    }

    private enum State {
        case hosts, children, vars, skip
    }

    private static let section = TextPattern(#"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$"#)
    private static let groupName = TextPattern(#"^([^:\]\s]+)\s*(?:#.*)?$"#)

    /// The path diagnostics name.
    let path: String
    /// Problems found so far.
    private(set) var diagnostics: [Diagnostic] = []
    private var pending: [String: Pending] = [:]
    private var pendingOrder: [String] = []

    init(path: String) {
        self.path = path
    }

    /// Adds the groups and hosts in `bytes` to `inventory`.
    mutating func parse(_ bytes: [UInt8], into inventory: inout StaticInventory) {
        if let offset = bytes.firstIndex(of: 0) {
            let line = bytes[..<offset].count { $0 == 0x0A } + 1
            error("binary file (NUL byte at offset \(offset)); expected an INI or YAML inventory", line, 1)
            return
        }
        var group = "ungrouped"
        var state = State.hosts
        for (index, rawLine) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard let text = String(validating: rawLine, as: UTF8.self) else {
                if let first = rawLine.first(where: { $0 != 0x20 && $0 != 0x09 }), first == 0x23 || first == 0x3B {
                    continue
                }
                error("line is not valid UTF-8; save the inventory as UTF-8", number, 1)
                continue
            }
            let indent = text.prefix { $0.isWhitespace }.count
            let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let first = line.first, first != "#", first != ";" else { continue }
            if let (name, kind) = Self.match(Self.section, line) {
                group = name
                state = enterSection(name, kind: kind ?? "hosts", line: number, column: indent + 1, &inventory)
                continue
            }
            if line.hasPrefix("["), line.hasSuffix("]") {
                error(
                    "invalid section header '\(line)': write [group], [group:children] or [group:vars] with no spaces "
                        + "or other invalid characters", number, indent + 1)
                state = .skip
                continue
            }
            switch state {
            case .hosts: hostLine(line, group: group, line: number, indent: indent, &inventory)
            case .vars:
                if !line.contains("=") {
                    error("expected key=value in [\(group):vars], got '\(line)'", number, indent + 1)
                }
            case .children: childLine(line, group: group, line: number, column: indent + 1, &inventory)
            case .skip: break
            }
        }
        for name in pendingOrder {
            guard let declaration = pending[name] else { continue }
            if declaration.isVars {
                error(
                    "section [\(name):vars] is for group '\(name)', which is not defined; add a [\(name)] section "
                        + "or remove the variables", declaration.line, declaration.column,
                    rule: "inventory-undefined-group")
            } else {
                let parent = declaration.parents.last ?? "?"
                error(
                    "section [\(parent):children] names group '\(name)', which is not defined; add a [\(name)] "
                        + "section", declaration.line, declaration.column, rule: "inventory-undefined-group")
            }
        }
    }

    private mutating func enterSection(
        _ name: String, kind: String, line: Int, column: Int, _ inventory: inout StaticInventory
    ) -> State {
        let state: State
        switch kind {
        case "hosts": state = .hosts
        case "children": state = .children
        case "vars": state = .vars
        default:
            error(
                "section [\(name):\(kind)] has unknown type '\(kind)'; use [\(name)], [\(name):children] or "
                    + "[\(name):vars]", line, column)
            return .skip
        }
        if !inventory.hasGroup(name) {
            if state == .vars, pending[name] == nil {
                declare(name, Pending(line: line, column: column, isVars: true, parents: []))
            }
            inventory.addGroup(name)
        }
        if let declaration = pending[name], state != .vars {
            if declaration.isVars {
                pending[name] = nil
            } else {
                addPendingChildren(name, &inventory, depth: 0)
            }
        }
        return state
    }

    private mutating func addPendingChildren(_ group: String, _ inventory: inout StaticInventory, depth: Int) {
        guard let declaration = pending.removeValue(forKey: group), depth < 1000 else { return }
        for parent in declaration.parents {
            inventory.addChild(group, to: parent)
            if let parentDeclaration = pending[parent], !parentDeclaration.isVars {
                addPendingChildren(parent, &inventory, depth: depth + 1)
            }
        }
    }

    private mutating func hostLine(
        _ text: String, group: String, line: Int, indent: Int, _ inventory: inout StaticInventory
    ) {
        let words: [ShellWord]
        do {
            words = try shellWords(text, comments: true)
        } catch {
            self.error("cannot read host line: \(error.message)", line, indent + 1)
            return
        }
        guard let entry = words.first else { return }
        let names: [String]
        do {
            names = try HostAddress.hostNames(entry.text, iniRules: true)
        } catch {
            self.error(error.message, line, indent + entry.column, rule: "inventory-host")
            return
        }
        for word in words.dropFirst() where !word.text.contains("=") {
            error(
                "expected key=value host variable, got '\(word.text)'; quote values that contain spaces", line,
                indent + word.column)
        }
        for name in names { inventory.addHost(name, to: group) }
    }

    private mutating func childLine(
        _ text: String, group: String, line: Int, column: Int, _ inventory: inout StaticInventory
    ) {
        guard let (child, _) = Self.match(Self.groupName, text) else {
            error("expected a group name in [\(group):children], got '\(text)'", line, column)
            return
        }
        if inventory.hasGroup(child) {
            inventory.addChild(child, to: group)
        } else if var declaration = pending[child] {
            declaration.parents.append(group)
            pending[child] = declaration
        } else {
            declare(child, Pending(line: line, column: column, isVars: false, parents: [group]))
        }
    }

    private mutating func declare(_ name: String, _ declaration: Pending) {
        if pending[name] == nil, !pendingOrder.contains(name) { pendingOrder.append(name) }
        pending[name] = declaration
    }

    private mutating func error(_ message: String, _ line: Int, _ column: Int, rule: String = "inventory-syntax") {
        diagnostics.append(
            Diagnostic(.error, rule, message, at: SourceLocation(file: path, line: line, column: column)))
    }

    private static func match(_ regex: TextPattern?, _ text: String) -> (String, String?)? {
        guard let groups = regex?.groups(in: text), let first = groups.first ?? nil else { return nil }
        return (first, groups.count > 1 ? groups[1] : nil)
    }
}
