import Synchronization
import ZeroMQ

/// A request to one service to stop gracefully: set once (by its `ServiceGroup`'s graceful shutdown, or by a test),
/// read by the service's loop between polls. Each service has its own, so stopping one stops no other.
public final class StopRequest: Sendable {
    private let requested = Atomic<Bool>(false)

    public init() {}

    public func request() { requested.store(true, ordering: .relaxed) }

    public var isRequested: Bool { requested.load(ordering: .relaxed) }
}

/// A socket owned by a service's loop gives up a blocking call that a signal interrupts once its service is asked to
/// stop (see `ZeroMQ.StopCondition`).
extension StopRequest: StopCondition {
    public var isStopRequested: Bool { isRequested }
}
