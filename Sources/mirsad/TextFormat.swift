import Foundation

/// Numbers as the command line prints them, one rule for every command.
enum TextFormat {
    /// "1.23 s".
    static func seconds(_ s: Double) -> String { String(format: "%.2f s", s) }

    /// Whole numbers from 100 up, one decimal below.
    static func rate(_ r: Double) -> String { r >= 100 ? String(Int(r.rounded())) : String(format: "%.1f", r) }

    /// `rows` as left-aligned columns under `header`, two spaces apart; the last column is not padded.
    /// Newlines and tabs inside a cell become spaces, so every row stays one line.
    static func table(header: [String], rows: [[String]]) -> String {
        let clean = ([header] + rows).map { row in
            row.map { cell in String(cell.map { $0.isNewline || $0 == "\t" ? " " : $0 }) }
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in clean {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return clean.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
