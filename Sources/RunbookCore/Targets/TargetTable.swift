/// How several targets' output is told apart: the line prefix and the final table.
enum TargetTable {
    /// `[name] `, the name padded to `width` so the prefixed lines line up.
    static func prefix(_ name: String, width: Int) -> String {
        "[" + name.padding(toLength: width, withPad: " ", startingAt: 0) + "] "
    }

    /// `runbook: targets` and one line per row (the first is the header), columns padded to their
    /// widest cell except the last, each line indented by two spaces, without trailing blanks.
    static func render(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        let lines = rows.map { cells in
            let padded = cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            return "  " + padded.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        return "runbook: targets\n" + lines.joined()
    }
}
