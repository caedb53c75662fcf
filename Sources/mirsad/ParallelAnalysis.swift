import ArticleAnalysis
import Foundation

/// Runs `work` on articles on a fixed number of threads while the calling thread reads input and writes output.
///
/// The calling thread `submit`s articles and gets back, through `write`, the outputs that are ready: in input
/// order (`ordered`), or in the order they finish. At most `threads × 32` articles are in flight; `submit` blocks
/// (writing what finishes meanwhile) beyond that, so memory stays bounded whatever the input's size.
///
/// `@unchecked Sendable` is sound because `queue`, `queueHead`, `closed` and `finished` are only touched with
/// `condition` locked, and `submitted`, `written` and `write` only on the calling thread.
final class ParallelAnalysis: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(sequence: Int, article: Article)] = []
    private var queueHead = 0
    private var closed = false
    private var finished: [Int: [UInt8]] = [:]
    private var submitted = 0
    private var written = 0
    private let ordered: Bool
    private let maxInFlight: Int
    private let write: ([UInt8]) throws -> Void
    private let threadsDone = DispatchGroup()

    init(threads: Int, ordered: Bool, work: @escaping @Sendable (Article) -> [UInt8], write: @escaping ([UInt8]) throws -> Void) {
        self.ordered = ordered
        self.maxInFlight = max(threads, 1) * 32
        self.write = write
        for index in 0..<max(threads, 1) {
            threadsDone.enter()
            let thread = Thread { [self] in
                defer { threadsDone.leave() }
                while let (sequence, article) = take() {
                    let output = work(article)
                    condition.lock()
                    finished[sequence] = output
                    condition.broadcast()
                    condition.unlock()
                }
            }
            thread.name = "mirsad-analyze-\(index)"
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    private func take() -> (Int, Article)? {
        condition.lock()
        defer { condition.unlock() }
        while queueHead == queue.count && !closed { condition.wait() }
        guard queueHead < queue.count else { return nil }
        let item = queue[queueHead]
        queueHead += 1
        if queueHead > 1024 && queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        return item
    }

    /// Queues one article; writes whatever is ready, waiting while too many articles are in flight.
    /// An error from `write` ends the run: the threads stop after the article each one is on.
    func submit(_ article: Article) throws {
        condition.lock()
        queue.append((submitted, article))
        submitted += 1
        condition.broadcast()
        condition.unlock()
        try stoppingOnError { try drain(until: { $0 < self.maxInFlight }) }
    }

    /// Waits for every submitted article and writes the rest; stops the threads.
    func finish() throws {
        close()
        try stoppingOnError { try drain(until: { $0 == 0 }) }
        threadsDone.wait()
    }

    private func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `body`; if it throws, drops the queued articles and lets the threads end before rethrowing.
    private func stoppingOnError(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            condition.lock()
            queue.removeAll()
            queueHead = 0
            condition.unlock()
            close()
            threadsDone.wait()
            throw error
        }
    }

    /// Writes ready outputs until `done(articles in flight)` holds.
    private func drain(until done: (Int) -> Bool) throws {
        while true {
            var ready: [[UInt8]] = []
            condition.lock()
            while true {
                if ordered {
                    while let output = finished.removeValue(forKey: written + ready.count) { ready.append(output) }
                } else if !finished.isEmpty {
                    ready.append(contentsOf: finished.values)
                    finished.removeAll(keepingCapacity: true)
                }
                if !ready.isEmpty || done(submitted - written) { break }
                condition.wait()
            }
            condition.unlock()
            for output in ready { try write(output) }
            written += ready.count
            if done(submitted - written) { return }
        }
    }
}
