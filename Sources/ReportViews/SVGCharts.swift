import Foundation

/// Inline SVG charts. Every chart scales to its container (`viewBox`, width 100%) and carries a `<title>` per mark
/// so the exact value shows on hover; labels are `<text>` with `direction` set by their first strong character.
///
/// Sizes are in user units at 12 px text. Bars are drawn 400 units wide and the timeline 480, so that in a
/// phone's column (about 330 px) their labels still come out near 10 px; `maxWidth` keeps a chart in a wide
/// column from growing past 1.4 times its size.
enum SVGCharts {
    struct Bar {
        var label: String
        var value: Double
        /// A second value drawn stacked after the first (for example anonymous after named), or 0.
        var second: Double = 0
        var note: String = ""
    }

    /// Horizontal bars, labels at the right (the page reads right to left), values at the bars' ends.
    static func bars(_ bars: [Bar], title: String) -> String {
        guard !bars.isEmpty else { return "<p class=\"empty\">—</p>" }
        let row = 22.0, labelWidth = 150.0, width = 400.0
        let height = Double(bars.count) * row + 8
        let maximum = max(bars.map { $0.value + $0.second }.max() ?? 1, 1e-9)
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLDocument.escape(title))\"\(maxWidth(width))>"
        for (i, bar) in bars.enumerated() {
            let y = Double(i) * row + 4
            let barWidth = (width - labelWidth - 60) * bar.value / maximum
            let secondWidth = (width - labelWidth - 60) * bar.second / maximum
            let right = width - labelWidth - 8
            svg += "<g><title>\(HTMLDocument.escape("\(bar.label): \(format(bar.value))\(bar.second > 0 ? " + \(format(bar.second))" : "")\(bar.note)"))</title>"
            svg += "<text x=\"\(f(width - 4))\" y=\"\(f(y + 15))\" \(rightAligned(bar.label))>\(HTMLDocument.escape(clip(bar.label, 24)))</text>"
            svg += "<rect class=\"bar\" x=\"\(f(right - barWidth))\" y=\"\(f(y + 3))\" width=\"\(f(max(barWidth, 1)))\" height=\"\(f(row - 7))\"/>"
            if bar.second > 0 {
                svg += "<rect class=\"bar2\" x=\"\(f(right - barWidth - secondWidth))\" y=\"\(f(y + 3))\" width=\"\(f(secondWidth))\" height=\"\(f(row - 7))\"/>"
            }
            svg += "<text x=\"\(f(right - barWidth - secondWidth - 4))\" y=\"\(f(y + 15))\" text-anchor=\"end\" style=\"direction:ltr\">\(format(bar.value + bar.second))</text></g>"
        }
        return svg + "</svg>"
    }

    /// Articles per day as columns, oldest at the left (dates read left to right), with the first and last
    /// day and the maximum marked.
    static func timeline(_ days: [(day: String, count: Int)], title: String) -> String {
        guard !days.isEmpty else { return "<p class=\"empty\">—</p>" }
        let width = 480.0, height = 160.0, bottom = 22.0, top = 14.0
        let maximum = Double(max(days.map(\.count).max() ?? 1, 1))
        let step = (width - 20) / Double(days.count)
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLDocument.escape(title))\" style=\"direction:ltr;max-width:\(Int(width * 1.4))px\">"
        svg += "<line class=\"axis\" x1=\"10\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - 10))\" y2=\"\(f(height - bottom))\"/>"
        for (i, day) in days.enumerated() {
            let h = (height - bottom - top) * Double(day.count) / maximum
            svg += "<rect class=\"bar\" x=\"\(f(10 + Double(i) * step))\" y=\"\(f(height - bottom - h))\" width=\"\(f(max(step * 0.85, 0.5)))\" height=\"\(f(max(h, 0.5)))\"><title>\(day.day): \(day.count)</title></rect>"
        }
        svg += "<text x=\"10\" y=\"\(f(height - 5))\" style=\"font-size:14px\">\(days.first!.day)</text>"
        svg += "<text x=\"\(f(width - 10))\" y=\"\(f(height - 5))\" text-anchor=\"end\" style=\"font-size:14px\">\(days.last!.day)</text>"
        svg += "<text x=\"10\" y=\"12\" style=\"font-size:14px\">max \(Int(maximum))</text>"
        return svg + "</svg>"
    }

    /// A symmetric matrix of pair counts among `names`, darker for more articles.
    static func matrix(names: [String], counts: [[Int]], title: String) -> String {
        guard names.count > 1 else { return "<p class=\"empty\">—</p>" }
        let cell = 22.0, label = 150.0
        let size = label + cell * Double(names.count) + 4
        let maximum = Double(max(counts.flatMap { $0 }.max() ?? 1, 1))
        var svg = "<svg viewBox=\"0 0 \(Int(size)) \(Int(size))\" role=\"img\" aria-label=\"\(HTMLDocument.escape(title))\"\(maxWidth(size))>"
        for (i, name) in names.enumerated() {
            let y = label + Double(i) * cell
            svg += "<text x=\"\(f(label - 4))\" y=\"\(f(y + 15))\" \(rightAligned(name))>\(HTMLDocument.escape(clip(name, 18)))</text>"
            svg += "<text transform=\"translate(\(f(label + Double(i) * cell + 15)),\(f(label - 4))) rotate(-60)\" style=\"direction:\(direction(name))\">\(HTMLDocument.escape(clip(name, 18)))</text>"
            for j in names.indices {
                let n = counts[i][j]
                let x = label + Double(j) * cell
                let opacity = i == j ? 0.08 : (n == 0 ? 0.03 : 0.15 + 0.85 * Double(n) / maximum)
                svg += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cell - 2))\" height=\"\(f(cell - 2))\" fill=\"#1f6fb2\" fill-opacity=\"\(String(format: "%.2f", opacity))\"><title>\(HTMLDocument.escape("\(names[i]) + \(names[j]): \(n)"))</title></rect>"
            }
        }
        return svg + "</svg>"
    }

    /// Attributes that end `text` at its x, whichever its direction: the end of right-to-left text is its left.
    /// The style that stops a chart `width` units wide from growing past 1.4 times that.
    static func maxWidth(_ width: Double) -> String { " style=\"max-width:\(Int(width * 1.4))px\"" }

    static func rightAligned(_ text: String) -> String {
        let d = direction(text)
        return "text-anchor=\"\(d == "rtl" ? "start" : "end")\" direction=\"\(d)\" style=\"direction:\(d)\""
    }

    /// `rtl` when the first letter with a strong direction is Arabic or Hebrew.
    static func direction(_ text: String) -> String {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0590...0x08FF, 0xFB1D...0xFDFF, 0xFE70...0xFEFF: return "rtl"
            case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F: return "ltr"
            default: continue
            }
        }
        return "rtl"
    }

    private static func clip(_ text: String, _ length: Int = 28) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func format(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(format: "%.2f", value)
    }
}
