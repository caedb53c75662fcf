#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Gives memory back to the system after a frame bomb.
///
/// libzmq buffers a whole multipart message before the first frame can be read, so a message of millions of tiny
/// frames costs its receiver one `zmq_msg_t` per frame (about 64 bytes) until it is drained, however early the
/// receive loop stops copying (facts §6). The drained memory goes back to the C heap, where glibc keeps it; without
/// `malloc_trim` the process would stay that much larger for good. A trim walks the heap, so it is done at most
/// once per `minimumInterval`, and only after a bomb (`bombDropped`); the loops call `releaseIfDue` once a turn.
enum FreedMemory {
    static let minimumIntervalMilliseconds: Int64 = 250
    private static let pending = Atomic<Bool>(false)
    private static let lastTrim = Atomic<Int64>(0)
    /// glibc's `malloc_trim`, looked up at run time: it is declared in `<malloc.h>`, which the Glibc module does
    /// not import; nil on a C library without it.
    private static let trim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()

    /// A message over the limits was drained: its memory is worth giving back.
    static func bombDropped() {
        pending.store(true, ordering: .relaxed)
        releaseIfDue()
    }

    /// Trims the heap if a bomb was drained since the last trim and the last one is old enough.
    static func releaseIfDue() {
        guard pending.load(ordering: .relaxed) else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let milliseconds = Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
        let last = lastTrim.load(ordering: .relaxed)
        guard milliseconds - last >= minimumIntervalMilliseconds,
              lastTrim.compareExchange(expected: last, desired: milliseconds, ordering: .relaxed).exchanged else { return }
        pending.store(false, ordering: .relaxed)
        _ = trim?(0)
    }
}
