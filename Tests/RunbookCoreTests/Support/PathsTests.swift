import Testing

@testable import RunbookCore

/// Expected values are what Python's `os.path.normpath` returns for the same input.
@Test(arguments: [
    ("/a/b/../c", "/a/c"), ("/a/./b//c/", "/a/b/c"), ("a/../../b", "../b"), ("/../a", "/a"),
    ("./", "."), ("a/..", "."), ("", "."), ("/", "/"), ("../../x/./y", "../../x/y"),
])
func normalizePathMatchesPython(input: String, expected: String) {
    #expect(Paths.normalize(input) == expected)
}

/// The fast path for already-normal paths gives what the full normalization gives.
@Test(arguments: [
    "/a/b", "a/b", "/", "a/", "a//b", "/a/./b", "./a", "a/..", "...", "/a/.b/..c", "/a/b/", ".", "..",
    "/..", "a/../../b",
])
func normalizeFastPathAgreesWithPython(input: String) {
    let expected: [String: String] = [
        "/a/b": "/a/b", "a/b": "a/b", "/": "/", "a/": "a", "a//b": "a/b", "/a/./b": "/a/b", "./a": "a", "a/..": ".",
        "...": "...", "/a/.b/..c": "/a/.b/..c", "/a/b/": "/a/b", ".": ".", "..": "..", "/..": "/",
        "a/../../b": "../b",
    ]
    #expect(Paths.normalize(input) == expected[input])
}

@Test func ancestorsAreNearestFirstWithoutTheRoot() {
    #expect(Paths.ancestors(of: "/a/b/c") == ["/a/b", "/a"])
    #expect(Paths.ancestors(of: "/a/b/") == ["/a"])
    #expect(Paths.ancestors(of: "/a").isEmpty)
    #expect(Paths.ancestors(of: "/").isEmpty)
}
