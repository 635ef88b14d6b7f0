// swift-tools-version: 6.2
// The fuzz target for runbook's YAML loader, inventory reader and (when present) playbook validator.
// Built only by fuzz/run, with -sanitize=fuzzer, in the gitignored scratch path .build-fuzz.
import PackageDescription

let package = Package(
    name: "RunbookFuzz",
    dependencies: [.package(name: "runbook", path: "..")],
    targets: [
        .executableTarget(
            name: "RunbookFuzz",
            dependencies: [.product(name: "RunbookCore", package: "runbook")]
        )
    ],
    swiftLanguageModes: [.v6]
)
