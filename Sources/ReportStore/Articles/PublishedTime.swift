import Foundation

/// Reads the `published` field of an article: ISO 8601 (`2018-10-03T10:12:11+00:00`, `2018-10-03 10:12`,
/// `2018-10-03`), with or without an offset (none means UTC).
enum PublishedTime {
    /// Milliseconds since 1970 UTC, or nil when `text` does not start with a valid `YYYY-MM-DD` date.
    static func milliseconds(_ text: String) -> Int64? {
        let b = Array(text.utf8.prefix(40))
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard let year = number(0, 4), b.count >= 10, b[4] == 45, let month = number(5, 2), b[7] == 45,
              let day = number(8, 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = 0
        var i = 10
        if i < b.count, b[i] == 84 || b[i] == 32, let hour = number(i + 1, 2), i + 3 < b.count, b[i + 3] == 58,
           let minute = number(i + 4, 2), hour < 24, minute < 60 {
            seconds = hour * 3600 + minute * 60
            i += 6
            if i < b.count, b[i] == 58, let second = number(i + 1, 2), second < 61 {
                seconds += second
                i += 3
                if i < b.count, b[i] == 46 { i += 1; while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 } }
            }
            if i < b.count, b[i] == 43 || b[i] == 45, let oh = number(i + 1, 2) {
                let om = (i + 3 < b.count && b[i + 3] == 58) ? number(i + 4, 2) ?? 0 : number(i + 3, 2) ?? 0
                let offset = oh * 3600 + om * 60
                seconds += b[i] == 43 ? -offset : offset
            }
        }
        return (Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400 + Int64(seconds)) * 1000
    }

    /// The UTC day of `milliseconds`, as `YYYY-MM-DD`.
    static func day(milliseconds: Int64) -> String {
        let days = Int(floorDiv(milliseconds, 86_400_000))
        let (y, m, d) = civil(fromDays: days)
        return padded(y, 4) + "-" + padded(m, 2) + "-" + padded(d, 2)
    }

    /// `value` in decimal, zero-padded to `width` digits (a sign first when negative), as `%0*d` writes it.
    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let zeros = String(repeating: "0", count: max(0, width - digits.count - (value < 0 ? 1 : 0)))
        return (value < 0 ? "-" : "") + zeros + digits
    }

    /// Milliseconds at 00:00 UTC of a `YYYY-MM-DD` day.
    static func startOfDay(_ day: String) -> Int64? {
        guard day.utf8.count == 10 else { return nil }
        return milliseconds(day)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
