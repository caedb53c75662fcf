import Foundation

/// Times in a store are whole milliseconds since 1970-01-01 UTC.
enum StoredTime {
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    static func roundedToMilliseconds(_ date: Date) -> Date {
        self.date(milliseconds: milliseconds(date))
    }
}
