import Foundation
import ZeroMQ

/// Threads that run `work` on queued inputs and hand outputs back to the thread that owns the worker's sockets.
///
/// The owning thread polls `doorbell` with its other sockets: each finished item rings it once (an empty message
/// over inproc), and `takeFinished()` collects whatever is done. Each pool thread owns the PUSH end of its own
/// doorbell connection; no socket crosses a thread.
final class AnalysisPool<Input: Sendable, Output: Sendable> {
    private let inputs = WorkQueue<Input>()
    private let outputs = WorkQueue<Output>()
    private let finishedThreads = DispatchGroup()
    /// Bound before any pool thread connects to it; owned by the thread that made the pool.
    let doorbell: Socket
    let threadCount: Int

    init(context: ZMQContext, threads: Int, name: String, work: @escaping @Sendable (Input) -> Output) throws {
        threadCount = max(threads, 1)
        let endpoint = "inproc://mirsad-pool-\(name)-\(UInt64.random(in: 0...UInt64.max))"
        doorbell = try Socket(context: context, type: .pull)
        try doorbell.set(.receiveHighWaterMark, 0)
        try doorbell.bind(endpoint)
        let inputs = self.inputs, outputs = self.outputs
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
                    outputs.put([work(input)])
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
}
