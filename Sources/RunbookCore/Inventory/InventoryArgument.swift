/// One inventory source as given to `-i` or the `inventory` setting: a path, or a host list.
///
/// Ansible decides as its `host_list` plugin does: text that is not an existing path and holds a
/// comma (`web1,web2,`) is a list of hosts; anything else is a path (which may not exist).
public struct InventoryArgument: Sendable, Hashable {
    /// Which of the two it is.
    public enum Kind: Sendable, Hashable {
        case path
        case hostList
    }

    /// Which of the two it is.
    public var kind: Kind
    /// The absolute, normalized path, or the host list as given.
    public var value: String
    /// The text as the user wrote it (for messages).
    public var given: String

    /// Reads `text`, making a path absolute against `folder`.
    public init(_ text: String, relativeTo folder: String) {
        let path = Paths.absolute(text, relativeTo: folder)
        given = text
        if !Paths.exists(path) && text.contains(",") {
            kind = .hostList
            value = text
        } else {
            kind = .path
            value = path
        }
    }

    /// The path, when this is one.
    public var path: String? { kind == .path ? value : nil }
}
