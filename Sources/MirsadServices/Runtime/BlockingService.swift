import ServiceLifecycle
import Synchronization

/// A command's blocking work (submitting a batch, watching the status) as a service, so that a `ServiceGroup`
/// owns SIGTERM/SIGINT for it as for the long-running roles: a signal sets the `StopRequest` the work was given,
/// and the work ends as it sees fit (a producer throws `Producer.Interrupted`).
public final class BlockingService<Output: Sendable>: Service, Sendable {
    private let name: String
    private let work: @Sendable (StopRequest) throws -> Output
    private let stop = StopRequest()
    private let finished = Mutex<Output?>(nil)

    public init(name: String, _ work: @escaping @Sendable (StopRequest) throws -> Output) {
        self.name = name
        self.work = work
    }

    public func run() async throws {
        let output = try await runOnLoopThread(name: name, stop: stop) { [work, stop] in try work(stop) }
        finished.withLock { $0 = output }
    }

    /// What the work returned, once `run` has returned.
    public var output: Output? { finished.withLock { $0 } }
}
