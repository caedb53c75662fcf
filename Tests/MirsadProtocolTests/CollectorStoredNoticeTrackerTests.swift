import Algorithms
import MirsadCore
import MirsadWire
import Testing

/// The collector's STORED bookkeeping as a pure state machine: events in, actions out, no sockets or files.
@Suite struct CollectorStoredNoticeTrackerTests {
    typealias Tracker = StoredNoticeTracker

    /// The store's side, as the collector carries the tracker's actions out: an ordered table of notices.
    struct Driver {
        var tracker: Tracker
        var table: [String] = []
        var sent: [String] = []
        var confirmed: [String] = []

        init(capacity: Int, pageSize: Int, resendAfter: UInt64 = 1_000) {
            tracker = Tracker(configuration: .init(capacity: capacity, pageSize: pageSize, resendAfter: .nanoseconds(resendAfter)))
        }

        /// What `CollectorService` does after a commit: the notices are in the table, then the tracker hears.
        mutating func commit(_ ids: [String], now: MonotonicInstant) {
            for id in ids where !table.contains(id) { table.append(id) }
            apply(tracker.committed(ids, now: now), now: now)
        }

        mutating func apply(_ actions: [Tracker.Action], now: MonotonicInstant) {
            var queue = actions[...]
            while let action = queue.popFirst() {
                switch action {
                case .send(let ids):
                    #expect(ids.count <= ProtocolLimits.maxIDsPerMessage)
                    sent += ids
                case .confirm(let ids):
                    confirmed += ids
                    table.removeAll { ids.contains($0) }
                case .loadPage(let limit):
                    let page = Array(table.prefix(limit))
                    queue += tracker.pageLoaded(page, limit: limit, now: now)
                }
            }
        }

        mutating func tick(_ now: MonotonicInstant) { apply(tracker.tick(now: now), now: now) }
    }

    /// A tracker that has read an empty store and been welcomed.
    static func welcomedEmpty(resendAfter: UInt64 = 100) -> Tracker {
        var tracker = Tracker(configuration: .init(capacity: 100, pageSize: 10, resendAfter: .nanoseconds(resendAfter)))
        #expect(tracker.tick(now: .at(0)) == [.loadPage(limit: 10)], "a new tracker first reads what an earlier run left")
        #expect(tracker.pageLoaded([], limit: 10, now: .at(0)).isEmpty)
        #expect(!tracker.backlog)
        #expect(tracker.linkUp(now: .at(0)).isEmpty)
        return tracker
    }

    static func sentIDs(_ actions: [Tracker.Action]) -> [String] {
        actions.flatMap { action -> [String] in if case .send(let ids) = action { ids } else { [] } }
    }

    @Test func nothingIsSentBeforeWelcomeThenEverythingHeldIs() {
        var tracker = Tracker(configuration: .init(capacity: 10, pageSize: 4, resendAfter: .nanoseconds(100)))
        #expect(tracker.tick(now: .at(1)) == [.loadPage(limit: 4)])
        #expect(tracker.pageLoaded(["left-1", "left-2"], limit: 4, now: .at(1)).isEmpty, "not welcomed yet")
        #expect(!tracker.backlog)
        #expect(tracker.committed(["new-1"], now: .at(2)).isEmpty)
        #expect(tracker.tick(now: .at(1_000)).isEmpty, "no resend before WELCOME either")
        #expect(tracker.awaitingAcknowledgement == 0)

        let actions = tracker.linkUp(now: .at(1_001))
        #expect(actions.count == 1)
        #expect(Set(Self.sentIDs(actions)) == ["left-1", "left-2", "new-1"])
        #expect(tracker.awaitingAcknowledgement == 3)
    }

    @Test func eachCommitIsSentOnceWithoutRepeats() {
        var tracker = Self.welcomedEmpty()
        #expect(tracker.committed(["x", "y", "x"], now: .at(5)) == [.send(["x", "y"])])
        // A duplicate commit of a pending id is told again at once (its first STORED may be lost).
        #expect(tracker.committed(["y", "z"], now: .at(6)) == [.send(["y", "z"])])
        #expect(tracker.pendingCount == 3)
    }

    @Test func onlyUnacknowledgedIdsAreSentAgainAfterThePeriod() {
        var tracker = Self.welcomedEmpty(resendAfter: 100)
        #expect(tracker.committed(["a", "b"], now: .at(10)) == [.send(["a", "b"])])
        #expect(tracker.tick(now: .at(50)).isEmpty)
        tracker.acknowledged(["a"])
        #expect(tracker.tick(now: .at(111)) == [.confirm(["a"]), .send(["b"])])
        #expect(tracker.tick(now: .at(150)).isEmpty)
        #expect(tracker.tick(now: .at(211)) == [.send(["b"])])
        tracker.acknowledged(["b", "never-sent"])
        #expect(tracker.tick(now: .at(212)) == [.confirm(["b", "never-sent"])], "every acknowledged id is confirmed")
        #expect(tracker.tick(now: .at(10_000)).isEmpty)
        #expect(tracker.pendingCount == 0)
    }

    @Test func aClockThatHasNotMovedResendsNothing() {
        var tracker = Self.welcomedEmpty(resendAfter: 100)
        _ = tracker.committed(["a"], now: .at(500))
        #expect(tracker.tick(now: .at(400)).isEmpty, "an earlier time must not count as a long wait")
        #expect(tracker.tick(now: .at(500)).isEmpty)
    }

    @Test func largeCommitsAreSentInMessagesOfAtMostTheIdLimit() {
        var tracker = Tracker(configuration: .init(capacity: 10_000, pageSize: 10, resendAfter: .nanoseconds(100)))
        _ = tracker.tick(now: .at(0))
        _ = tracker.pageLoaded([], limit: 10, now: .at(0))
        _ = tracker.linkUp(now: .at(0))
        let ids = (0..<5_000).map { "j\($0)" }
        let actions = tracker.committed(ids, now: .at(1))
        #expect(actions.map { if case .send(let chunk) = $0 { chunk.count } else { -1 } } == [4_096, 904])
        #expect(Self.sentIDs(actions) == ids, "in order, each once")
    }

    @Test func aNewSessionSendsNothingUntilItsWelcomeThenEverything() {
        var tracker = Self.welcomedEmpty(resendAfter: 100)
        _ = tracker.committed(["a", "b"], now: .at(1))
        tracker.linkDown()
        #expect(tracker.awaitingAcknowledgement == 0)
        #expect(tracker.tick(now: .at(500)).isEmpty)
        #expect(tracker.committed(["c"], now: .at(501)).isEmpty)
        let actions = tracker.linkUp(now: .at(502))
        #expect(Set(Self.sentIDs(actions)) == ["a", "b", "c"])
        #expect(tracker.tick(now: .at(550)).isEmpty, "the old session's sends are not due")
        #expect(Set(Self.sentIDs(tracker.tick(now: .at(603)))) == ["a", "b", "c"])
    }

    @Test func aFailedConfirmationReadsTheNoticesBackFromTheStore() {
        var tracker = Self.welcomedEmpty()
        _ = tracker.committed(["a"], now: .at(1))
        tracker.acknowledged(["a"])
        #expect(tracker.tick(now: .at(2)) == [.confirm(["a"])])
        tracker.confirmFailed(["a"])
        #expect(tracker.backlog)
        #expect(tracker.tick(now: .at(3)) == [.loadPage(limit: 10)])
        #expect(tracker.pageLoaded(["a"], limit: 10, now: .at(3)) == [.send(["a"])])
        #expect(!tracker.backlog)
    }

    @Test func acknowledgedIdsWaitingForDeletionAreNotReadBackIn() {
        var tracker = Self.welcomedEmpty()
        _ = tracker.committed(["a", "b"], now: .at(1))
        tracker.acknowledged(["a"])
        tracker.confirmFailed(["earlier"])
        #expect(tracker.pageLoaded(["a", "b", "c"], limit: 10, now: .at(2)) == [.send(["c"])])
        #expect(!tracker.isPending("a"))
    }

    /// A long dispatcher outage: ten times the window is stored, memory holds at most the window, and once the
    /// dispatcher acknowledges everything it is told, every notice is sent and the table ends empty.
    @Test func memoryHoldsAtMostTheWindowAndTheRestIsPagedIn() {
        var driver = Driver(capacity: 8, pageSize: 3, resendAfter: 1_000)
        driver.tick(.at(0))
        let ids = (0..<80).map { "job-\($0)" }
        for (index, chunk) in ids.chunks(ofCount: 5).map(Array.init).enumerated() {
            driver.commit(chunk, now: .at(index))
            driver.tick(.at(index))
            #expect(driver.tracker.pendingCount <= 8)
        }
        #expect(driver.sent.isEmpty, "never welcomed")
        #expect(driver.table.count == 80)
        #expect(driver.tracker.backlog)

        driver.apply(driver.tracker.linkUp(now: .at(100)), now: .at(100))
        var now = 100
        while !driver.table.isEmpty && now < 1_000 {
            now += 1
            let unacknowledged = driver.sent.filter { !driver.confirmed.contains($0) }
            driver.tracker.acknowledged(unacknowledged)
            driver.tick(.at(now))
            #expect(driver.tracker.pendingCount <= 8)
        }
        #expect(driver.table.isEmpty)
        #expect(Set(driver.sent) == Set(ids))
        #expect(Set(driver.confirmed) == Set(ids))
        #expect(driver.sent.count < ids.count * 2, "the window's ids are not sent over and over")
        #expect(!driver.tracker.backlog)
    }
}
