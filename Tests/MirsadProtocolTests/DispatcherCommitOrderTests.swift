import Foundation
import Testing
@testable import MirsadCore
@testable import MirsadWire

/// Which of the dispatcher's actions must wait for the journal's commit (`DispatcherAction.waitsForCommit`): only
/// the read replies may go out before it; everything that acknowledges or hands out a change waits.
@Suite struct DispatcherCommitOrderTests {
    /// The actions of a whole job's life, from every kind of request: each reply's kind decides whether it waits.
    /// Revision 6: a DONE saying `worker_idle` ends the commit window when it frees credit for queued jobs, since
    /// that worker waits for the JOBS the commit holds back; otherwise the turn gathers messages as before.
    @Test func anIdleWorkersDoneEndsTheCommitWindowWhenJobsWaitForIt() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 1)
        try h.hello("w2", capacity: 1)
        try h.submit(batch: "b1", 0..<4)
        func held(_ worker: String) throws -> String { try #require(h.machine.jobsHeld(by: .peer(worker)).first) }

        let busy = try h.done("w1", [try held("w1")])
        #expect(busy.jobIDs(to: "w1").count == 1)
        #expect(!busy.contains(.endCommitWindow), "not idle: the turn gathers messages as usual")

        let idle = try h.done("w2", [try held("w2")], idle: true)
        #expect(idle.jobIDs(to: "w2").count == 1)
        #expect(idle.contains(.endCommitWindow))
        #expect(!DispatcherAction.endCommitWindow.waitsForCommit)

        // Idle, but no job is queued for it: no JOBS wait on the commit, so the window stays.
        let drained = try h.done("w1", [try held("w1")], idle: true)
        #expect(drained.jobIDs(to: "w1").isEmpty)
        #expect(!drained.contains(.endCommitWindow))
        #expect(h.violations().isEmpty)
    }

    @Test func onlyReadRepliesGoOutBeforeTheCommit() throws {
        var h = DispatcherHarness()
        var actions: [DispatcherAction] = []
        actions += try h.hello("w1", capacity: 2)
        actions += try h.hello("c1", capacity: 0, role: .collector)
        actions += try h.submit(batch: "b1", 0..<3)
        actions += try h.done("w1", ["b1:0"], failed: ["b1:1"], permanent: true)
        actions += try h.stored(["b1:0"])
        actions += try h.heartbeat("w1", jobs: ["b1:2"])
        actions += try h.deliver(.status(.with { $0.requestID = "s" }), from: DispatcherHarness.producer)
        actions += try h.deliver(.batchStatus(.with { $0.requestID = "bs"; $0.batchID = "b1" }), from: DispatcherHarness.producer)
        actions += try h.deliver(.deadLetters(.with { $0.requestID = "dl" }), from: DispatcherHarness.producer)
        actions += try h.deliver(.retryDeadLetters(.with { $0.requestID = "r"; $0.all = true }), from: DispatcherHarness.producer)
        actions += try h.deliver(.done(.with { $0.jobIds = ["b1:2"] }), from: .peer("stranger"))
        actions += h.advance(ms: 60_000)

        var early: Set<Command> = []
        var waiting: Set<Command> = []
        for action in actions {
            let command: Command?
            switch action {
            case .send(let message, _): command = message.command
            case .replyStatus: command = .statusReply
            default:
                #expect(action.waitsForCommit, "\(action) is a record of a change: it waits")
                command = nil
            }
            guard let command else { continue }
            if action.waitsForCommit { waiting.insert(command) } else { early.insert(command) }
        }
        #expect(early == [.statusReply, .batchStatusReply, .deadLettersReply])
        #expect(waiting.isSuperset(of: [.welcome, .jobs, .submitAck, .storedAck, .retryDeadLettersReply, .error]),
                "waiting: \(waiting)")
        #expect(waiting.isDisjoint(with: early))
    }

    /// A read reply sent at once shows the change its turn has made so far: a SUBMIT read before the STATUS in the
    /// same turn is counted in it, though its SUBMIT_ACK waits for the commit.
    @Test func aReadReplyShowsTheTurnsChangesWithoutAcknowledgingThem() throws {
        var h = DispatcherHarness()
        let submitted = try h.submit(batch: "b1", 0..<2)
        #expect(submitted.contains { if case .send(.submitAck, _) = $0 { $0.waitsForCommit } else { false } })
        let status = try h.deliver(.status(.with { $0.requestID = "s" }), from: DispatcherHarness.producer)
        guard case .replyStatus(let reply, _) = try #require(status.first) else {
            Issue.record("no STATUS_REPLY: \(status)")
            return
        }
        #expect(!status[0].waitsForCommit)
        #expect(reply.queued == 2)
    }
}
