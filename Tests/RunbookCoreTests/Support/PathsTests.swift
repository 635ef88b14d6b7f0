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
