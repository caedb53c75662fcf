import Synchronization

/// The process's READY line (`announceReady`), printed once: after the service has said what READY carries and
/// every other listener of the process (the metrics server) is up, in whichever order they come. So whatever a
/// parent or an operator reaches for once READY is printed answers.
final class ReadyLine: Sendable {
    private struct State {
        var value: String?
        var listenersWaiting: Int
        var printed = false
    }

    private let state: Mutex<State>
    private let announce: @Sendable (String) -> Void

    init(otherListeners: Int, announce: @escaping @Sendable (String) -> Void = announceReady) {
        state = Mutex(State(listenersWaiting: otherListeners))
        self.announce = announce
    }

    /// The service serves; READY is to carry `value`.
    @Sendable func serviceReady(_ value: String) {
        printIfDue { $0.value = $0.value ?? value }
    }

    /// One other listener is up.
    @Sendable func listenerReady() {
        printIfDue { $0.listenersWaiting -= 1 }
    }

    private func printIfDue(_ change: (inout State) -> Void) {
        let due: String? = state.withLock { state in
            change(&state)
            guard !state.printed, let value = state.value, state.listenersWaiting <= 0 else { return nil }
            state.printed = true
            return value
        }
        if let due { announce(due) }
    }
}
