import MirsadCore

extension MonotonicInstant {
    /// `nanoseconds` after the clock's origin: a harness's time line.
    static func at(_ nanoseconds: Int) -> MonotonicInstant { .origin.advanced(by: .nanoseconds(nanoseconds)) }
}
