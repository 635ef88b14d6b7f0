/// The cross-argument rules a module's code gives AnsibleModule (`mutually_exclusive`,
/// `required_together`, `required_one_of`, `required_if`, `required_by`), judged as ansible-core's
/// ArgumentSpecValidator judges them, in its order: fallbacks and aliases first, `mutually_exclusive`
/// on what was given, then non-None defaults set, then the other four. A value is certain only when it
/// is written out: a templated one may render to `omit`, a fallback may come from the environment,
/// `module_defaults` may add any argument; whatever depends on those is not judged.
extension PlaybookChecker {
    /// A value as the module sees it after its option's type conversion (only the kinds compared).
    enum ModuleValue: Equatable, CustomStringConvertible {
        case str(String)
        case bool(Bool)
        case int(Int)

        /// Python's `==` with a `required_if` value (True == 1, False == 0); nil when not comparable.
        func equals(_ literal: ImageIndex.Literal) -> Bool? {
            if let expected = literal.str {
                if case .str(let text) = self { return text == expected }
                return false
            }
            let number: Int? = literal.int ?? literal.bool.map { $0 ? 1 : 0 }
            guard let expected = number else { return nil }
            switch self {
            case .str: return false
            case .bool(let flag): return (flag ? 1 : 0) == expected
            case .int(let value): return value == expected
            }
        }

        /// As Python prints it in ansible's message.
        var description: String {
            switch self {
            case .str(let text): text
            case .bool(let flag): flag ? "True" : "False"
            case .int(let number): String(number)
            }
        }
    }

    /// The given arguments of one spec level, as the rules see them.
    struct GivenArguments {
        /// Each key as written (the last one when repeated), with its key and resolved value nodes.
        var nodes: [String: (key: YAMLNode, value: YAMLNode)] = [:]
        var rules: ImageIndex.ArgumentRules
        /// The aliases given, by the option they stand for (worked out once the nodes are in).
        var aliasesGiven: [String: [String]] = [:]

        /// Notes which given keys are aliases, once every node is in.
        mutating func noteAliases() {
            guard let aliases = rules.aliases else { return }
            for key in nodes.keys {
                if let option = aliases[key] { aliasesGiven[option, default: []].append(key) }
            }
        }

        /// Whether the name is a key of the module's parameters (given, or an alias of it given).
        func given(_ name: String) -> Bool {
            nodes[name] != nil || aliasesGiven[name] != nil
        }

        /// The value the module gets for `name`: an alias's wins over the name's own (as ansible copies
        /// aliases onto their option); nil when not given, or given through two aliases.
        func value(_ name: String) -> (key: YAMLNode, value: YAMLNode)? {
            let aliases = aliasesGiven[name] ?? []
            if aliases.count > 1 { return nil }
            if let alias = aliases.first { return nodes[alias] }
            return nodes[name]
        }

        /// Given with a value written out: not null, not templated.
        func certain(_ name: String) -> Bool {
            guard let node = value(name)?.value else { return false }
            if node.isNull { return false }
            if let text = node.string, isTemplated(text) { return false }
            return true
        }

        /// Present once defaults are set, whatever the templates render.
        func surelyPresent(_ name: String) -> Bool { certain(name) || rules.defaults?[name] != nil }

        /// Not given, no default, no fallback: certainly not among the module's parameters.
        func surelyAbsent(_ name: String) -> Bool {
            !given(name) && rules.defaults?[name] == nil && !(rules.fallbacks ?? []).contains(name)
        }
    }

    /// Checks `given` (the arguments of one spec level) against that level's rules. `presence` is false
    /// where `module_defaults` may add arguments: then only `mutually_exclusive` is judged.
    func checkArgumentRules(
        _ given: [YAMLPair], rules: ImageIndex.ArgumentRules, presence: Bool, module: String, prefix: String,
        document: YAMLDocument, file: String, at owner: YAMLNode
    ) {
        var arguments = GivenArguments(rules: rules)
        for pair in given {
            guard let key = pair.key.string, !isTemplated(key) else { return }  // a templated key may be any
            arguments.nodes[key] = (pair.key, document.resolve(pair.value))
        }
        arguments.noteAliases()
        for group in rules.mutuallyExclusive ?? [] {
            var both: [String] = []
            for name in group where !both.contains(name) && arguments.certain(name) { both.append(name) }
            guard both.count > 1 else { continue }
            let last = both.compactMap { arguments.value($0)?.key }.max { ($0.line, $0.column) < ($1.line, $1.column) }
            report(
                .error, "mutually-exclusive-arguments",
                "parameters are mutually exclusive for module \(module): "
                    + group.map { prefix + $0 }.joined(separator: "|") + " (given: "
                    + group.filter(both.contains).map { prefix + $0 }.joined(separator: ", ") + ")",
                file: file, at: last ?? owner)
        }
        guard presence else { return }
        for group in rules.requiredTogether ?? []
        where group.contains(where: arguments.surelyPresent) && group.contains(where: arguments.surelyAbsent) {
            report(
                .error, "arguments-required-together",
                "parameters are required together for module \(module): "
                    + group.map { prefix + $0 }.joined(separator: ", ") + " (missing: "
                    + group.filter(arguments.surelyAbsent).map { prefix + $0 }.joined(separator: ", ") + ")",
                file: file, at: owner)
        }
        for group in rules.requiredOneOf ?? [] where group.allSatisfy(arguments.surelyAbsent) {
            report(
                .error, "argument-required-one-of",
                "one of the following is required by module \(module): "
                    + group.map { prefix + $0 }.joined(separator: ", "), file: file, at: owner)
        }
        for entry in rules.requiredIf ?? [] {
            guard let (value, node) = conditionValue(entry, arguments), value.equals(entry.value) == true else {
                continue
            }
            let missing = entry.requires.filter(arguments.surelyAbsent)
            guard !missing.isEmpty, !entry.any || missing.count == entry.requires.count else { continue }
            report(
                .error, "argument-required-if",
                "\(prefix)\(entry.key) is \(value) but \(entry.any ? "any" : "all") of the following are missing "
                    + "(module \(module)): " + missing.map { prefix + $0 }.joined(separator: ", "),
                file: file, at: node ?? owner)
        }
        for (key, requires) in (rules.requiredBy ?? [:]).sorted(by: { $0.key < $1.key })
        where arguments.surelyPresent(key) {
            let missing = requires.filter(arguments.surelyAbsent)
            guard !missing.isEmpty else { continue }
            report(
                .error, "argument-required-by",
                "missing parameter(s) required by '\(prefix)\(key)' (module \(module)): "
                    + missing.map { prefix + $0 }.joined(separator: ", "),
                file: file, at: arguments.value(key)?.key ?? owner)
        }
    }

    /// The value a `required_if` condition compares, with the key node when it was written; nil when
    /// the key is absent (the condition does not hold) or its value is not certain.
    private func conditionValue(
        _ entry: ImageIndex.ArgumentRules.RequiredIf, _ arguments: GivenArguments
    ) -> (ModuleValue, YAMLNode?)? {
        if arguments.given(entry.key) {
            guard let written = arguments.value(entry.key), arguments.certain(entry.key),
                let value = Self.converted(written.value, type: entry.type)
            else { return nil }
            return (value, written.key)
        }
        if (arguments.rules.fallbacks ?? []).contains(entry.key) { return nil }
        guard let literal = arguments.rules.defaults?[entry.key] else { return nil }
        let loaded: ModuleValue? =
            if let text = literal.str { .str(text) } else if let flag = literal.bool { .bool(flag) } else {
                literal.int.map(ModuleValue.int)
            }
        return loaded.flatMap { Self.converted($0, type: entry.type) }.map { ($0, nil) }
    }

    /// A written scalar as the module gets it: what PyYAML (YAML 1.1) loads, then the option's type
    /// conversion; nil for anything not certain (templates, floats, dates, tagged values, other types).
    static func converted(_ node: YAMLNode, type: String) -> ModuleValue? {
        guard case .scalar(let text, let plain) = node.kind, node.tag == nil, !isTemplated(text) else { return nil }
        let loaded: ModuleValue
        if !plain {
            loaded = .str(text)
        } else if let flag = pyYAMLBool(text) {
            loaded = .bool(flag)
        } else if let number = decimalInteger(text) {
            loaded = .int(number)
        } else if let first = text.unicodeScalars.first, first.properties.isAlphabetic,
            text.unicodeScalars.allSatisfy({
                $0.properties.isAlphabetic || "0123456789_-./".unicodeScalars.contains($0)
            }),
            !["null", "Null", "NULL"].contains(text)
        {
            loaded = .str(text)
        } else {
            return nil
        }
        return converted(loaded, type: type)
    }

    /// ansible's conversion of a loaded value to the option's type (check_type_str/bool/int, raw).
    static func converted(_ value: ModuleValue, type: String) -> ModuleValue? {
        switch (type, value) {
        case ("raw", _), ("str", .str), ("bool", .bool), ("int", .int): return value
        case ("bool", .int(let number)) where number == 0 || number == 1: return .bool(number == 1)
        case ("bool", .str(let text)):
            let lowered = text.lowercased()
            if ["y", "yes", "on", "1", "true", "t"].contains(lowered) { return .bool(true) }
            if ["n", "no", "off", "0", "false", "f"].contains(lowered) { return .bool(false) }
            return nil
        case ("int", .str(let text)): return decimalInteger(text).map(ModuleValue.int)
        default: return nil
        }
    }

    /// PyYAML's YAML 1.1 booleans (not `y`/`n`, which it loads as strings).
    private static func pyYAMLBool(_ text: String) -> Bool? {
        switch text {
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": true
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": false
        default: nil
        }
    }

    private static func decimalInteger(_ text: String) -> Int? {
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }), digits == "0" || digits.first != "0"
        else {
            return nil
        }
        return Int(text.first == "+" ? String(digits) : text)
    }
}
