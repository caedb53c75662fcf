import Synchronization
import Testing
@testable import mirsad

/// READY is printed once, after the service and every other listener of the process are up, in either order.
struct ReadyLineTests {
    @Test func readyWaitsForTheMetricsServerInEitherOrder() {
        for metricsFirst in [false, true] {
            let printed = Mutex<[String]>([])
            let line = ReadyLine(otherListeners: 1) { value in printed.withLock { $0.append(value) } }
            if metricsFirst {
                line.listenerReady()
                #expect(printed.withLock { $0 }.isEmpty)
                line.serviceReady("tcp://127.0.0.1:5555")
            } else {
                line.serviceReady("tcp://127.0.0.1:5555")
                #expect(printed.withLock { $0 }.isEmpty, "READY before the metrics server listens")
                line.listenerReady()
            }
            line.serviceReady("tcp://127.0.0.1:6666")
            #expect(printed.withLock { $0 } == ["tcp://127.0.0.1:5555"])
        }
    }

    @Test func withoutOtherListenersReadyComesWithTheService() {
        let printed = Mutex<[String]>([])
        let line = ReadyLine(otherListeners: 0) { value in printed.withLock { $0.append(value) } }
        line.serviceReady("w-1")
        #expect(printed.withLock { $0 } == ["w-1"])
    }
}
