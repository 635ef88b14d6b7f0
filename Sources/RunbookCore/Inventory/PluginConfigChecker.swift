/// Checks an inventory plugin config (a YAML file whose root has `plugin:`): the plugin key, the file
/// name the plugin requires, and for plugins runbook knows (amazon.aws.aws_ec2, constructed) the
/// options' names and shapes against their documentation.
struct PluginConfigChecker {
    /// The path diagnostics name.
    let path: String
    /// The document read.
    let document: YAMLDocument
    /// Problems found so far.
    private(set) var diagnostics: [Diagnostic] = []

    init(path: String, document: YAMLDocument) {
        self.path = path
        self.document = document
    }

    /// Checks the config whose root mapping is `root` and whose `plugin` key is `plugin`.
    mutating func check(root: YAMLNode, plugin: YAMLNode) {
        guard let name = plugin.string, plugin.pairs == nil, plugin.items == nil, !name.isEmpty else {
            report(
                .error,
                "'plugin' must name an inventory plugin, e.g. amazon.aws.aws_ec2, found \(plugin.typeDescription)",
                at: plugin, rule: "inventory-plugin")
            return
        }
        guard let options = PluginOptions.of(name) else { return }
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        if !options.fileSuffixes.isEmpty, !options.fileSuffixes.contains(where: { fileName.hasSuffix($0) }) {
            report(
                .error,
                "the \(name) plugin reads only files whose name ends in \(options.fileSuffixes.joined(separator: " or ")); "
                    + "rename the file, e.g. to prod.\(options.fileSuffixes[0])", at: plugin,
                rule: "inventory-plugin-file")
        }
        for pair in document.mergedPairs(root) {
            guard let key = pair.key.string else { continue }
            let value = document.resolve(pair.value)
            guard let type = options.types[key] else {
                var message = "unknown option '\(key)' for the \(name) inventory plugin; Ansible ignores it"
                if let suggestion = closestOption(to: key, in: options.types.keys) {
                    message += "; did you mean '\(suggestion)'?"
                }
                report(.warning, message, at: pair.key, rule: "inventory-plugin-option")
                continue
            }
            checkShape(key, value, type)
            switch key {
            case "keyed_groups": checkKeyedGroups(value)
            case "hostnames": checkHostnames(value)
            case "include_filters", "exclude_filters": checkFilterList(key, value)
            default: break
            }
        }
    }

    private mutating func checkShape(_ key: String, _ value: YAMLNode, _ type: PluginOptionType) {
        if value.isNull { return }
        let scalar = value.string != nil
        switch type {
        case .string where !scalar, .dict where value.pairs == nil, .list where value.pairs != nil:
            report(.error, "option '\(key)' must be \(describe(type)), found \(value.typeDescription)", at: value)
        case .int where !scalar || Int(value.string ?? "") == nil:
            report(
                .error, "option '\(key)' must be a whole number, found '\(value.string ?? value.typeDescription)'",
                at: value)
        case .bool where value.bool == nil && !["1", "0", "t", "f"].contains(value.string?.lowercased() ?? ""):
            report(
                .warning,
                "option '\(key)' should be true or false, found \(describe(value)); Ansible reads it as false",
                at: value)
        default:
            break
        }
    }

    private mutating func checkKeyedGroups(_ value: YAMLNode) {
        for item in value.items ?? [] {
            let entry = document.resolve(item)
            guard entry.pairs != nil else {
                report(
                    .warning, "keyed_groups entries must be mappings with a 'key'; Ansible skips this one", at: entry)
                continue
            }
            let pairs = document.mergedPairs(entry)
            unknownKeys(pairs, allowed: PluginOptions.keyedGroupKeys, in: "keyed_groups entry")
            if entry["key"] == nil {
                report(
                    .warning, "keyed_groups entry has no 'key', so it makes no group; add key: <expression>", at: entry)
            }
            if let separator = entry["trailing_separator"], !separator.isNull, let other = entry["default_value"],
                !other.isNull
            {
                report(
                    .error,
                    "keyed_groups entry sets both default_value and trailing_separator; they exclude each "
                        + "other, keep one", at: separator)
            }
        }
    }

    private mutating func checkHostnames(_ value: YAMLNode) {
        for item in value.items ?? [] {
            let entry = document.resolve(item)
            guard entry.pairs != nil else {
                if entry.items != nil {
                    report(.error, "hostnames entries must be strings or mappings with 'name'", at: entry)
                }
                continue
            }
            unknownKeys(document.mergedPairs(entry), allowed: PluginOptions.hostnameKeys, in: "hostnames entry")
            if entry["name"] == nil { report(.error, "hostnames entry must have a 'name'", at: entry) }
        }
    }

    private mutating func checkFilterList(_ key: String, _ value: YAMLNode) {
        for item in value.items ?? [] where document.resolve(item).pairs == nil && !document.resolve(item).isNull {
            let entry = document.resolve(item)
            report(.error, "each \(key) entry must be a mapping of filters, found \(entry.typeDescription)", at: entry)
        }
    }

    private mutating func unknownKeys(_ pairs: [YAMLPair], allowed: Set<String>, in context: String) {
        for pair in pairs {
            guard let key = pair.key.string, !allowed.contains(key) else { continue }
            var message = "unknown key '\(key)' in \(context)"
            if let suggestion = closestOption(to: key, in: allowed) { message += "; did you mean '\(suggestion)'?" }
            report(.warning, message, at: pair.key, rule: "inventory-plugin-option")
        }
    }

    private func describe(_ type: PluginOptionType) -> String {
        switch type {
        case .string: "a string"
        case .bool: "true or false"
        case .int: "a whole number"
        case .list: "a list"
        case .dict: "a mapping"
        case .raw: "a value"
        }
    }

    private func describe(_ node: YAMLNode) -> String {
        node.string.map { "'\($0)'" } ?? node.typeDescription
    }

    private mutating func report(
        _ severity: Severity, _ message: String, at node: YAMLNode, rule: String = "inventory-plugin-type"
    ) {
        diagnostics.append(
            Diagnostic(severity, rule, message, at: SourceLocation(file: path, line: node.line, column: node.column)))
    }
}

/// The candidate closest to `word` by edit distance, when it is close enough to be a likely typo.
private func closestOption<S: Sequence<String>>(to word: String, in candidates: S) -> String? {
    let source = Array(word.lowercased())
    var best: (name: String, distance: Int)?
    for candidate in candidates.sorted() {
        let distance = optionDistance(source, Array(candidate.lowercased()))
        if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
    }
    guard let best, best.distance <= max(2, source.count / 3) else { return nil }
    return best.name
}

private func optionDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for (i, x) in a.enumerated() {
        var current = [i + 1] + Array(repeating: 0, count: b.count)
        for (j, y) in b.enumerated() {
            current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
