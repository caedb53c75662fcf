import Foundation
import MirsadCore
import Testing
import ZeroMQ
@testable import MirsadServices

/// The running thread, by pthread id (the names given to pool threads do not reach the kernel on Linux).
private func currentThreadID() -> String {
    "\(pthread_self())"
}

@Suite(.timeLimit(.minutes(5)))
struct AnalysisPoolTests {
    /// Polls the doorbell and collects finished outputs until `count` have come or `seconds` pass.
    private func collect<I, O>(_ pool: AnalysisPool<I, O>, count: Int, seconds: Double = 10) throws -> [O] {
        var poller = Poller()
        poller.register(pool.doorbell)
        var outputs: [O] = []
        let deadline = Date(timeIntervalSinceNow: seconds)
        while outputs.count < count && Date() < deadline {
            if try poller.poll(timeoutMilliseconds: 50)[0].contains(.readable) {
                outputs += pool.takeFinished()
            }
        }
        return outputs
    }

    @Test func everyInputIsProcessedExactlyOnceAcrossThreads() throws {
        let context = try ZMQContext()
        let calls = Locked<[Int: Int]>([:])
        let threadIDs = Locked<Set<String>>([])
        // Input 0 holds its thread until another thread has finished an input, so more than one thread works.
        let another = DispatchSemaphore(value: 0)
        let pool = try AnalysisPool<Int, String>(context: context, threads: 4, name: "once") { input in
            calls.withLock { $0[input, default: 0] += 1 }
            threadIDs.withLock { _ = $0.insert(currentThreadID()) }
            if input == 0 { another.wait() } else { another.signal() }
            return "out-\(input)"
        }
        defer { pool.shutdown() }
        #expect(pool.threadCount == 4)
        let inputs = Array(0..<500)
        pool.submit(Array(inputs[..<250]))
        pool.submit(Array(inputs[250...]))
        let outputs = try collect(pool, count: inputs.count)
        #expect(outputs.count == inputs.count)
        #expect(Set(outputs) == Set(inputs.map { "out-\($0)" }))
        #expect(calls.current.count == inputs.count)
        #expect(calls.current.values.allSatisfy { $0 == 1 })
        #expect(threadIDs.current.count > 1, "all work ran on \(threadIDs.current)")
    }

    @Test func doorbellBecomesReadableWhenWorkFinishes() throws {
        let context = try ZMQContext()
        let gate = DispatchSemaphore(value: 0)
        let pool = try AnalysisPool<Int, Int>(context: context, threads: 2, name: "doorbell") { input in
            gate.wait()
            return input * 3
        }
        defer { pool.shutdown() }
        var poller = Poller()
        poller.register(pool.doorbell)
        #expect(try poller.poll(timeoutMilliseconds: 0)[0].isEmpty)

        pool.submit([5])
        // Held at the gate: nothing finished, so nothing rings.
        #expect(try poller.poll(timeoutMilliseconds: 50)[0].isEmpty)
        gate.signal()
        #expect(try poller.poll(timeoutMilliseconds: 5_000)[0].contains(.readable))
        #expect(pool.takeFinished() == [15])
        // takeFinished empties the doorbell: silent again until the next item finishes.
        #expect(try poller.poll(timeoutMilliseconds: 0)[0].isEmpty)
        #expect(pool.takeFinished().isEmpty)

        pool.submit([1, 2])
        gate.signal()
        gate.signal()
        #expect(try collect(pool, count: 2).sorted() == [3, 6])
    }

    @Test func withdrawWaitingReturnsInputsNoThreadStarted() throws {
        let context = try ZMQContext()
        let gate = DispatchSemaphore(value: 0)
        let started = Locked<[Int]>([])
        let pool = try AnalysisPool<Int, Int>(context: context, threads: 1, name: "withdraw") { input in
            started.withLock { $0.append(input) }
            gate.wait()
            return input
        }
        defer { pool.shutdown() }
        pool.submit([1, 2, 3, 4, 5])
        #expect(eventually { pool.waiting == 4 && started.current == [1] })
        #expect(pool.withdrawWaiting() == [2, 3, 4, 5])
        #expect(pool.waiting == 0)
        gate.signal()
        #expect(try collect(pool, count: 1) == [1])
        #expect(started.current == [1])
    }

    @Test func shutdownFinishesQueuedWork() throws {
        let context = try ZMQContext()
        let processed = Locked(0)
        let pool = try AnalysisPool<Int, Int>(context: context, threads: 2, name: "shutdown") { input in
            processed.withLock { $0 += 1 }
            return -input
        }
        pool.submit(Array(1...40))
        pool.shutdown()
        #expect(processed.current == 40)
        // The doorbell is closed now, but the outputs are still there to take.
        #expect(!pool.doorbell.isOpen)
        #expect(pool.takeFinished().sorted() == (1...40).map { -$0 }.sorted())
    }
}

@Suite(.timeLimit(.minutes(5)))
struct AnalysisPoolWatchdogTests {
    @Test func runningAndOverdueShowWhatEachThreadRunsAndSinceWhen() throws {
        let context = try ZMQContext()
        let gate = DispatchSemaphore(value: 0)
        let clock = ManualClock()
        clock.advance(by: .seconds(3))
        let pool = try AnalysisPool<Int, Int>(
            context: context, threads: 2, name: "watch", now: { clock.monotonicNow }
        ) { input in
            if input == 7 { gate.wait() }
            return input
        }
        defer { pool.shutdown() }
        #expect(pool.running.isEmpty)
        let before = clock.monotonicNow
        pool.submit([7])
        #expect(eventually { pool.running.map(\.input) == [7] })
        let started = try #require(pool.running.first)
        #expect(started.since == before, "the start time comes from the pool's clock")
        #expect(pool.overdue(longerThan: .milliseconds(50), now: clock.monotonicNow).isEmpty)
        clock.advance(by: .milliseconds(50))
        #expect(pool.overdue(longerThan: .milliseconds(50), now: clock.monotonicNow).isEmpty)
        clock.advance(by: .milliseconds(1))
        #expect(pool.overdue(longerThan: .milliseconds(50), now: clock.monotonicNow).map(\.input) == [7])
        // Quick items on the other thread come and go without showing up as overdue.
        pool.submit([1, 2, 3])
        var poller = Poller()
        poller.register(pool.doorbell)
        var finished: [Int] = []
        let deadline = Date(timeIntervalSinceNow: 5)
        while finished.count < 3 && Date() < deadline {
            if try poller.poll(timeoutMilliseconds: 50)[0].contains(.readable) { finished += pool.takeFinished() }
        }
        #expect(finished.sorted() == [1, 2, 3])
        #expect(pool.overdue(longerThan: .milliseconds(50), now: clock.monotonicNow).map(\.input) == [7])
        gate.signal()
        #expect(eventually { pool.running.isEmpty })
    }

    @Test func abandonReturnsWithoutWaitingForAStuckThread() throws {
        let context = try ZMQContext()
        let release = DispatchSemaphore(value: 0)
        let pool = try AnalysisPool<Int, Int>(context: context, threads: 1, name: "abandon") { input in
            release.wait()
            return input
        }
        pool.submit([1, 2])
        #expect(eventually { pool.running.count == 1 })
        let started = ContinuousClock.now
        pool.abandon()
        // It returns while the thread is still stuck (which would be forever): a bound, not a timing.
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(!pool.doorbell.isOpen)
        // Let the thread go; it finds the queue closed after its item and the item waiting is still handed out.
        release.signal()
        release.signal()
        #expect(eventually { pool.running.isEmpty })
        context.shutdown()
    }
}
