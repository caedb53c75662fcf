@testable import MirsadCore
@testable import MirsadWire

/// Drives a `DispatcherLinkStateMachine` as its loop does, with a clock the test moves by hand, and keeps every
/// action it returned.
struct DispatcherLinkHarness {
    var machine: DispatcherLinkStateMachine
    var now = MonotonicInstant.origin
    /// Every action so far, in order.
    var actions: [DispatcherLinkAction] = []
    /// The jobs the worker holds, listed in lease renewals; `asked` counts how often they were asked for.
    var held: [String] = []
    var asked = 0

    init(
        replaces: String = "", crashed: [Mirsad_V1_JobFailure] = [],
        configuration: DispatcherLinkConfiguration = .init()
    ) {
        let hello = Mirsad_V1_Hello.with {
            $0.role = .worker; $0.id = "w1"; $0.capacity = 8; $0.replaces = replaces; $0.crashed = crashed
        }
        machine = DispatcherLinkStateMachine(hello: hello, configuration: configuration, now: now)
        actions += machine.start(now: now)
    }

    @discardableResult
    mutating func receive(_ message: MirsadMessage) -> [DispatcherLinkAction] {
        let new = machine.received(message, now: now)
        actions += new
        return new
    }

    @discardableResult
    mutating func tick() -> [DispatcherLinkAction] {
        let held = self.held
        var asked = 0
        let new = machine.tick(now: now, heldJobs: { asked += 1; return held })
        self.asked += asked
        actions += new
        return new
    }

    /// Moves the clock by `step` at a time (the loop's poll interval) for `duration`, ticking after each step.
    @discardableResult
    mutating func run(for duration: Duration, step: Duration = .milliseconds(100)) -> [DispatcherLinkAction] {
        var new: [DispatcherLinkAction] = []
        let end = now.advanced(by: duration)
        while now < end {
            now = min(now.advanced(by: step), end)
            new += tick()
        }
        return new
    }

    static func welcome(heartbeatMs: UInt32 = 1_000, livenessMs: UInt32 = 5_000) -> MirsadMessage {
        .welcome(.with { $0.heartbeatIntervalMs = heartbeatMs; $0.livenessTimeoutMs = livenessMs })
    }
}

extension [DispatcherLinkAction] {
    var sent: [MirsadMessage] {
        compactMap { if case .send(let message) = $0 { message } else { nil } }
    }

    var hellos: [Mirsad_V1_Hello] {
        sent.compactMap { if case .hello(let hello) = $0 { hello } else { nil } }
    }

    var heartbeats: [Mirsad_V1_Heartbeat] {
        sent.compactMap { if case .heartbeat(let heartbeat) = $0 { heartbeat } else { nil } }
    }

    var notices: [DispatcherLinkNotice] {
        compactMap { if case .notice(let notice) = $0 { notice } else { nil } }
    }

    var reconnects: Int { filter { $0 == .reconnect }.count }
}
