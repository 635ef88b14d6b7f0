#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A task's arguments checked against the module's documented spec in the image's index: unknown
/// names (aliases honoured), required ones, `choices`, certain literal types, and the spec's
/// mutually_exclusive / required_* rules, suboptions the same way.
extension PlaybookChecker {
    func checkArgumentKeys(
        _ keys: [(String, YAMLNode)], module: String, spec: [String: ImageIndex.Option], file: String
    ) {
        let names = Self.acceptedNames(spec)
        for (key, node) in keys where !key.hasPrefix("_") && !names.contains(key) && !isTemplated(key) {
            report(
                .error, "unknown-argument",
                "unsupported parameter '\(key)' for module \(module)" + didYouMean(key, in: names),
                file: file, at: node)
        }
    }

    private static func acceptedNames(_ spec: [String: ImageIndex.Option]) -> Set<String> {
        var names = Set(spec.keys)
        for option in spec.values { names.formUnion(option.aliases ?? []) }
        names.remove("free_form")
        return names
    }

    func checkArguments(
        _ given: [YAMLPair], module: String, spec: [String: ImageIndex.Option], rules: ImageIndex.ArgumentRules?,
        freeForm: Bool, checkRequired: Bool, prefix: String, document: YAMLDocument, file: String,
        at owner: YAMLNode
    ) {
        // The names a spec accepts, worked out once per module and suboption path.
        let key = prefix.isEmpty ? module : module + "\u{0}" + prefix
        let accepted: ArgumentNames
        if let known = deep.argumentNames[key] {
            accepted = known
        } else {
            accepted = ArgumentNames(
                accepted: Self.acceptedNames(spec),
                canonical: spec.reduce(into: [String: String]()) { table, entry in
                    table[entry.key] = entry.key
                    for alias in entry.value.aliases ?? [] { table[alias] = entry.key }
                },
                required: spec.filter { $0.value.required == true && $0.key != "free_form" }.map(\.key).sorted())
            deep.argumentNames[key] = accepted
        }
        let (names, canonical) = (accepted.accepted, accepted.canonical)
        // The required options given (a module has few: a list is cheaper than hashing every name).
        var present: [String] = []
        for pair in given {
            guard let key = pair.key.string else { continue }
            if key.hasPrefix("_") || isTemplated(key) { continue }
            guard let name = canonical[key], name != "free_form" || freeForm, let option = spec[name] else {
                report(
                    .error, "unknown-argument",
                    "unsupported parameter '\(prefix)\(key)' for module \(module)" + didYouMean(key, in: names),
                    file: file, at: pair.key)
                continue
            }
            if accepted.required.contains(name) { present.append(name) }
            checkValue(
                document.resolve(pair.value), option: option, rules: rules?.options?[name], name: prefix + key,
                module: module, document: document, file: file)
        }
        if let rules {
            checkArgumentRules(
                given, rules: rules, presence: checkRequired, module: module, prefix: prefix, document: document,
                file: file, at: owner)
        }
        guard checkRequired else { return }
        let missing = accepted.required.filter { !present.contains($0) }
        if !missing.isEmpty {
            report(
                .error, "missing-required-argument",
                "missing required argument(s) of module \(module): "
                    + missing.map { prefix + $0 }.joined(separator: ", "), file: file, at: owner)
        }
    }

    private func checkValue(
        _ node: YAMLNode, option: ImageIndex.Option, rules: ImageIndex.ArgumentRules?, name: String, module: String,
        document: YAMLDocument, file: String
    ) {
        if node.isNull { return }
        if let text = node.string, isTemplated(text) { return }
        let type = option.type ?? "str"
        let found = node.items != nil ? "a list" : node.pairs != nil ? "a mapping" : nil
        switch type {
        case "bool", "int", "float":
            if let found {
                report(
                    .error, "argument-type",
                    "'\(name)' of module \(module) must be \(Self.article(type)), found \(found)",
                    file: file, at: node)
                return
            }
        case "list":
            if node.pairs != nil {
                report(
                    .error, "argument-type", "'\(name)' of module \(module) must be a list, found a mapping",
                    file: file, at: node)
                return
            }
        case "dict":
            if node.items != nil {
                report(
                    .error, "argument-type", "'\(name)' of module \(module) must be a mapping, found a list",
                    file: file, at: node)
                return
            }
        default:
            break
        }
        // A YAML boolean meets yes/no choices: Ansible maps True/False onto them.
        let booleanMeetsChoices =
            node.bool != nil && (option.choices ?? []).contains(where: Self.booleanWords.contains)
        if let choices = option.choices, type != "bool", type != "list", let text = node.string,
            !choices.contains(text), !booleanMeetsChoices
        {
            let shown =
                choices.count > 12
                ? choices.prefix(12).joined(separator: ", ") + ", …" : choices.joined(separator: ", ")
            report(
                .error, "argument-choice",
                "'\(text)' is not a choice of '\(name)' (module \(module)): \(shown)" + didYouMean(text, in: choices),
                file: file, at: node)
        }
        guard let suboptions = option.suboptions, !suboptions.isEmpty else { return }
        if type == "dict", let pairs = node.pairs {
            checkArguments(
                pairs, module: module, spec: suboptions, rules: rules, freeForm: false, checkRequired: true,
                prefix: name + ".", document: document, file: file, at: node)
        } else if type == "list", option.elements == "dict", let items = node.items {
            for item in items {
                guard let pairs = document.resolve(item).pairs else { continue }
                checkArguments(
                    pairs, module: module, spec: suboptions, rules: rules, freeForm: false, checkRequired: true,
                    prefix: name + "[].", document: document, file: file, at: item)
            }
        }
    }

    private static let booleanWords: Set<String> = [
        "yes", "no", "true", "false", "on", "off", "1", "0", "True", "False",
    ]

    private static func article(_ type: String) -> String {
        switch type {
        case "bool": "a boolean"
        case "int": "an integer"
        case "float": "a number"
        case "path": "a path"
        default: "a string"
        }
    }

    /// With the image's index: of two keys that are not task keywords, one an ansible-core module and
    /// the other one of its arguments and no module at all (`assert:` beside `fail_msg:`). Ansible's
    /// own error is then "not a valid attribute", and the fix is the indentation.
    func misplacedArgument(_ names: [String]) -> (module: String, argument: String)? {
        guard names.count == 2, let index = settings.index else { return nil }
        for (module, argument) in [(names[0], names[1]), (names[1], names[0])]
        where !argument.containsByte(UInt8(ascii: ".")) && !Self.isBuiltinModule(argument, index: index) {
            let full = module.containsByte(UInt8(ascii: ".")) ? module : "ansible.builtin." + module
            guard let spec = index.modules[full] else { continue }
            let accepted = spec.options.contains { $0.key == argument || $0.value.aliases?.contains(argument) == true }
            if accepted { return (module, argument) }
        }
        return nil
    }
}
