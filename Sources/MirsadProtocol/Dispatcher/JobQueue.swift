/// The dispatcher's queue of job ids waiting for a worker.
///
/// A queue may hold ids that are no longer waiting (a job that was finished after it was requeued): the dispatcher
/// skips them when it dequeues, so removal from the middle is never needed. The in-memory queue is the v1 choice;
/// a durable queue implements the same protocol.
public protocol JobQueue: Sendable {
    /// Entries held, stale ones included.
    var count: Int { get }
    /// Adds at the back (new jobs).
    mutating func enqueue(_ jobID: String)
    /// Adds at the front (jobs taken back from a worker: they have waited longest).
    mutating func enqueueFront(_ jobID: String)
    /// Removes and returns the front entry.
    mutating func dequeue() -> String?
}

/// A ring buffer: O(1) amortised at both ends.
public struct InMemoryJobQueue: JobQueue {
    private var storage: [String?] = Array(repeating: nil, count: 16)
    private var head = 0
    public private(set) var count = 0

    public init() {}

    public mutating func enqueue(_ jobID: String) {
        growIfFull()
        storage[(head + count) % storage.count] = jobID
        count += 1
    }

    public mutating func enqueueFront(_ jobID: String) {
        growIfFull()
        head = (head - 1 + storage.count) % storage.count
        storage[head] = jobID
        count += 1
    }

    public mutating func dequeue() -> String? {
        guard count > 0 else { return nil }
        let id = storage[head]
        storage[head] = nil
        head = (head + 1) % storage.count
        count -= 1
        return id
    }

    private mutating func growIfFull() {
        guard count == storage.count else { return }
        var grown: [String?] = Array(repeating: nil, count: storage.count * 2)
        for i in 0..<count { grown[i] = storage[(head + i) % storage.count] }
        storage = grown
        head = 0
    }
}
