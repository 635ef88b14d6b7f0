import Foundation
import RunbookCore

/// libFuzzer's entry point: feeds one input to every reader of user files runbook has. Any crash,
/// trap, hang or leak beyond libFuzzer's limits is a finding; the return value is always 0.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let file = YAMLLoader().parse(bytes, path: "fuzz.yml")
    for document in file.documents { _ = walk(document.root, document, depth: 0) }
    let reader = InventoryReader()
    for path in ["hosts", "hosts.ini", "inventory.yml", "prod.aws_ec2.yml"] {
        let inventory = reader.parse(bytes, path: path)
        guard let matcher = inventory.matcher else { continue }
        let firstLine = bytes.prefix { $0 != 0x0A }
        for pattern in [String(decoding: firstLine, as: UTF8.self), "all:!web:&db[0:2]", "~w.*", "g*[1]"] {
            _ = matcher.matchesAnyHost(pattern)
        }
    }
    validate(bytes)
    return 0
}

/// Visits every node, resolving aliases and merge keys as the validators do.
private func walk(_ node: YAMLNode?, _ document: YAMLDocument, depth: Int) -> Int {
    guard let node, depth < 300 else { return 0 }
    let resolved = document.resolve(node)
    switch resolved.kind {
    case .scalar: return 1
    case .alias: return 1
    case .sequence(let items): return items.reduce(1) { $0 + walk($1, document, depth: depth + 1) }
    case .mapping:
        return document.mergedPairs(resolved).reduce(1) { $0 + walk($1.value, document, depth: depth + 1) }
    }
}

#if RUNBOOK_FUZZ_VALIDATOR
    /// Runs the playbook validator over the input written to a scratch playbook.
    private func validate(_ bytes: [UInt8]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let playbook = folder.appendingPathComponent("site.yml")
        guard FileManager.default.createFile(atPath: playbook.path, contents: Data(bytes)) else { return }
        let request = ValidationRequest(
            paths: [playbook.path], inventories: [], workspace: folder.path, currentDirectory: folder.path)
        _ = try? PlaybookValidator().validate(request)
    }
#else
    /// The playbook validator is not in this tree yet; nothing more to run.
    private func validate(_ bytes: [UInt8]) {}
#endif

/// libFuzzer's driver, run from the entry point SwiftPM links executables with (it renames `main` to
/// `<target>_main`, which would otherwise be missing with `-parse-as-library`).
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("RunbookFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, fuzzOneInput)
}
