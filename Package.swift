// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "runbook",
    products: [
        .executable(name: "runbook", targets: ["runbook"]),
        .library(name: "RunbookCore", targets: ["RunbookCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // Run history (History/): the system SQLite, and zlib for the gzip objects of the S3 store.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // HTTP (STS, SSO, S3, credential endpoints) through the system libcurl, opened on the first
        // request (dlopen): a few C wrappers around its variadic setopt, so RunbookCore needs
        // FoundationEssentials only (no ICU, no FoundationNetworking) and the binary stays small.
        .target(
            name: "CCurlShim",
            linkerSettings: [.linkedLibrary("dl")]
        ),
        // Process-wide settings the executable makes at start (malloc's heap growth step), and the
        // huge-page advice each checker thread asks for its heap.
        .target(name: "CProcessTuning"),
        .target(
            name: "RunbookCore",
            dependencies: [
                "CYAML",
                "CCurlShim",
                "CProcessTuning",
                "CSQLite",
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            // The image definition is embedded as Swift strings (scripts/embed-image-definition); the
            // folder is its editable source, checked against the strings by a unit test.
            exclude: ["Resources"]
        ),
        .executableTarget(
            name: "runbook",
            dependencies: [
                "RunbookCore",
                "CProcessTuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "RunbookCoreTests",
            // The executable too: command tests parse argv with `Runbook.parseAsRoot` and run it with fakes.
            dependencies: ["RunbookCore", "runbook"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "RunbookIntegrationTests",
            dependencies: ["RunbookCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
