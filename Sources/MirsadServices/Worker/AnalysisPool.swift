import Foundation
import MirsadCore
import Synchronization
import ZeroMQ

/// Threads that run `work` on queued inputs and hand outputs back to the thread that owns the worker's sockets.
///
/// The owning thread polls `doorbell` with its other sockets: each finished item rings it once (an empty message
/// over inproc), and `takeFinished()` collects whatever is done. Each pool thread owns the PUSH end of its own
/// doorbell connection; no socket crosses a thread.
///
/// Each thread records the input it is running and since when (`running`), so that the owner can tell an analysis
/// that does not return (`overdue`). Such a thread is lost: `abandon()` stops the pool without waiting for it.
final class AnalysisPool<Input: Sendable, Output: Sendable> {
    /// One thread's current input and when it started it.
    struct Started {
        var input: Input
        var since: MonotonicInstant
    }

    /// What every thread runs now (nil when idle), indexed by thread.
    private final class Slots: Sendable {
        let slots: Mutex<[Started?]>
        init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
    }

    /// Inputs are taken round robin between their lanes (see `WorkQueue`).
    private let inputs: WorkQueue<Input>
    private let outputs = WorkQueue<Output>()
    private let finishedThreads = DispatchGroup()
    private let slots: Slots
    /// Bound before any pool thread connects to it; owned by the thread that made the pool.
    let doorbell: Socket
    let threadCount: Int

    /// `now` is the clock the start times are read from; `lane` names the lane of an input (one lane by default).
    init(
        context: ZMQContext, threads: Int, name: String, now: @escaping @Sendable () -> MonotonicInstant = { .now() },
        lane: @escaping @Sendable (Input) -> String = { _ in "" },
        work: @escaping @Sendable (Input) -> Output
    ) throws {
        inputs = WorkQueue(lane: lane)
        threadCount = max(threads, 1)
        let endpoint = "inproc://mirsad-pool-\(name)-\(UInt64.random(in: 0...UInt64.max))"
        doorbell = try Socket(context: context, type: .pull)
        try doorbell.set(.receiveHighWaterMark, 0)
        try doorbell.bind(endpoint)
        let inputs = self.inputs, outputs = self.outputs
        let slots = Slots(count: threadCount)
        self.slots = slots
        for index in 0..<threadCount {
            finishedThreads.enter()
            let group = finishedThreads
            let thread = Thread {
                defer { group.leave() }
                guard let ring = try? Socket(context: context, type: .push) else { return }
                defer { ring.close() }
                try? ring.set(.sendHighWaterMark, 0)
                guard (try? ring.connect(endpoint)) != nil else { return }
                while let input = inputs.take() {
                    slots.slots.withLock { $0[index] = Started(input: input, since: now()) }
                    let output = work(input)
                    slots.slots.withLock { $0[index] = nil }
                    outputs.put([output])
                    _ = try? ring.send([[]], dontWait: true)
                }
            }
            thread.name = "mirsad-\(name)-\(index)"
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    func submit(_ items: [Input]) { inputs.put(items) }

    /// Inputs not yet taken by a thread.
    var waiting: Int { inputs.count }

    /// The inputs threads are running now.
    var running: [Started] { slots.slots.withLock { $0.compactMap { $0 } } }

    /// Inputs a thread has been running for longer than `limit` at `now`.
    func overdue(longerThan limit: Duration, now: MonotonicInstant) -> [Started] {
        running.filter { $0.since.duration(to: now) > limit }
    }

    /// Empties the doorbell and returns every output finished so far.
    func takeFinished() -> [Output] {
        while (try? doorbell.receive(dontWait: true)) ?? nil != nil {}
        return outputs.takeAll()
    }

    /// Takes back inputs no thread has started (to hand them back on shutdown).
    func withdrawWaiting() -> [Input] { inputs.takeAll() }

    /// Lets the threads finish what they hold, then stops them.
    func shutdown() {
        inputs.close()
        finishedThreads.wait()
        doorbell.close()
    }

    /// Stops handing out inputs and closes the doorbell without waiting for the threads: for when one of them is
    /// stuck in `work` for good. A stuck thread keeps its doorbell socket open, so the ZeroMQ context cannot be
    /// terminated afterwards either; the process is expected to exit.
    func abandon() {
        inputs.close()
        doorbell.close()
    }
}
