import Foundation
import Testing
@testable import MirsadCore
@testable import MirsadWire

/// Authorisation by key role, sessions bound to their key, and lease tokens in the dispatcher's state machine.
@Suite struct DispatcherSecurityTests {
    static let batch = "b1"
    static func id(_ i: Int) -> String { "b1:\(i)" }
    static let leaseKey = LeaseKey.generate()
    static func key(_ name: String) -> String { String((name + String(repeating: "k", count: 40)).prefix(40)) }
    static func authority(_ name: String, _ roles: Set<SecurityRole>) -> PeerAuthority { .key(key(name), roles: roles) }

    static func secured() -> DispatcherHarness {
        var configuration = DispatcherConfiguration(collectorEndpoint: "tcp://127.0.0.1:5571")
        configuration.leaseKey = leaseKey
        return DispatcherHarness(configuration)
    }

    /// One message of each command a peer may send to the dispatcher, valid in itself.
    static let requests: [(Command, MirsadMessage)] = [
        (.hello, .hello(.with { $0.role = .worker; $0.id = "w-x"; $0.capacity = 1 })),
        (.submit, .submit(SampleValues.submit(batch: "b9", indices: 0..<1))),
        (.batchStatus, .batchStatus(.with { $0.batchID = "b9"; $0.requestID = "q" })),
        (.status, .status(.with { $0.requestID = "q" })),
        (.deadLetters, .deadLetters(.with { $0.requestID = "q" })),
        (.retryDeadLetters, .retryDeadLetters(.with { $0.requestID = "q"; $0.all = true })),
        (.done, .done(.with { $0.jobIds = ["b9:0"] })),
        (.stored, .stored(.with { $0.jobIds = ["b9:0"] })),
        (.heartbeat, .heartbeat(.with { _ in })),
        (.bye, .bye(.with { $0.reason = "x" })),
    ]

    /// Every role against every command: a key may send exactly what `SecurityRole.allowed(toSend:)` lists for its
    /// role; anything else is refused with NOT_ALLOWED, counted as forbidden by role, and changes nothing.
    @Test(arguments: SecurityRole.allCases)
    func aKeyOfOneRoleCannotSendAnotherRolesCommands(role: SecurityRole) throws {
        for (command, message) in Self.requests {
            var h = Self.secured()
            let peer = RoutingID.peer("p-\(role)")
            let before = h.machine.counts
            let actions = h.machine.received(
                frames: try FrameCodec.encode(message, to: peer), authority: Self.authority(role.rawValue, [role]), now: h.now)
            // The HELLO here claims the worker role, which only a worker key may open.
            let allowed = command == .hello
                ? SecurityRole.allowed(toSayHelloAs: .worker).contains(role)
                : SecurityRole.allowed(toSend: command).contains(role)
            let error = actions.error(to: "p-\(role)")
            if allowed {
                #expect(error?.code != .notAllowed || error?.message.contains("needs a key") == false,
                        "\(role) may send \(command)")
                #expect(h.machine.securityRefusals.total == 0, "\(role) sending \(command)")
            } else {
                #expect(error?.code == .notAllowed, "\(role) must not send \(command)")
                #expect(error?.command == UInt32(command.rawValue))
                #expect(h.machine.securityRefusals[.forbiddenByRole] == 1, "\(role) sending \(command)")
                #expect(h.machine.counts == before, "a refused \(command) changes no job")
                #expect(h.machine.workers.isEmpty)
            }
        }
    }

    @Test func aHelloMustClaimTheRoleOfItsKey() throws {
        var h = Self.secured()
        let hello = MirsadMessage.hello(.with { $0.role = .collector; $0.id = "c"; $0.capacity = 0 })
        let actions = h.machine.received(
            frames: try FrameCodec.encode(hello, to: .peer("w")), authority: Self.authority("w", [.worker]), now: h.now)
        #expect(actions.error(to: "w")?.code == .notAllowed)
        #expect(h.machine.securityRefusals[.forbiddenByRole] == 1)
        #expect(h.machine.noCollectorFor(now: h.now) != nil, "no collector session was opened")
    }

    @Test func aKeyTheAllowlistDropsIsRefusedEverything() throws {
        var h = Self.secured()
        let actions = h.machine.received(
            frames: try FrameCodec.encode(.status(.with { $0.requestID = "q" }), to: .peer("gone")),
            authority: .key(Self.key("gone"), roles: []), now: h.now)
        #expect(actions.error(to: "gone")?.code == .notAllowed)
        #expect(h.machine.securityRefusals[.unknownKey] == 1)
        #expect(h.machine.status(requestID: "", now: h.now).securityRefusals == ["unknown key": 1])
    }

    @Test func aSessionTakenOverByAnotherKeyIsRefused() throws {
        var h = Self.secured()
        let worker = Self.authority("w1", [.worker])
        _ = h.machine.received(
            frames: try FrameCodec.encode(.hello(.with { $0.role = .worker; $0.id = "w1"; $0.capacity = 2 }), to: .peer("w1")),
            authority: worker, now: h.now)
        try h.submit(batch: Self.batch, 0..<1)
        #expect(h.machine.jobsHeld(by: .peer("w1")) == [Self.id(0)])
        // Another worker key on the same routing id (a hijacked connection) reports the job done.
        let actions = h.machine.received(
            frames: try FrameCodec.encode(.done(.with { $0.jobIds = [Self.id(0)] }), to: .peer("w1")),
            authority: Self.authority("intruder", [.worker]), now: h.now)
        #expect(actions.error(to: "w1")?.code == .notAllowed)
        #expect(h.machine.securityRefusals[.sessionKeyMismatch] == 1)
        #expect(h.journal.state(of: Self.id(0)) == .inFlight)
    }

    /// With keys, a worker id belongs to the key whose HELLO opened its session: a HELLO of another worker key that
    /// reuses the id or names it in `replaces` is refused and ends nothing; the same key may replace its own session.
    @Test func onlyTheSameKeyMayTakeOverAWorkerID() throws {
        var h = Self.secured()
        let owner = Self.authority("w1", [.worker])
        let intruder = Self.authority("intruder", [.worker])
        func hello(_ peer: String, id: String, replaces: String = "", by authority: PeerAuthority) throws -> [DispatcherAction] {
            h.machine.received(
                frames: try FrameCodec.encode(.hello(.with {
                    $0.role = .worker; $0.id = id; $0.capacity = 2; $0.replaces = replaces
                    $0.crashed = replaces.isEmpty ? [] : [.with { $0.jobID = Self.id(0); $0.error = "boom" }]
                }), to: .peer(peer)),
                authority: authority, now: h.now)
        }
        _ = try hello("w1", id: "w1", by: owner)
        try h.submit(batch: Self.batch, 0..<1)
        #expect(h.machine.jobsHeld(by: .peer("w1")) == [Self.id(0)])

        let reused = try hello("x1", id: "w1", by: intruder)
        #expect(reused.error(to: "x1")?.code == .notAllowed)
        let replacing = try hello("x2", id: "x2", replaces: "w1", by: intruder)
        #expect(replacing.error(to: "x2")?.code == .notAllowed)
        #expect(h.machine.securityRefusals[.sessionKeyMismatch] == 2)
        #expect(h.machine.workers == [.peer("w1")], "the owner's session goes on")
        #expect(h.machine.jobsHeld(by: .peer("w1")) == [Self.id(0)])
        #expect(h.journal.state(of: Self.id(0)) == .inFlight, "no crash report was taken from another key")

        // The owner's key, on a new connection (a restarted process), takes its id over.
        let restarted = try hello("w1b", id: "w1", by: owner)
        #expect(restarted.error(to: "w1b") == nil)
        #expect(h.machine.workers == [.peer("w1b")])
        #expect(h.machine.securityRefusals[.sessionKeyMismatch] == 2)
    }

    /// Each dispatch carries a lease whose token the shared key verifies, bound to the job, attempt, worker id and key.
    @Test func jobsCarryALeaseForTheirWorkerAndAttempt() throws {
        var h = Self.secured()
        let worker = Self.authority("w1", [.worker])
        _ = h.machine.received(
            frames: try FrameCodec.encode(.hello(.with { $0.role = .worker; $0.id = "w1"; $0.capacity = 2 }), to: .peer("w1")),
            authority: worker, now: h.now)
        let actions = try h.submit(batch: Self.batch, 0..<1)
        let jobs = try #require(actions.sent(to: "w1").compactMap { if case .jobsView(let j) = $0 { j } else { nil } }.first)
        let job = try Mirsad_V1_Job(serializedBytes: try #require(jobs.jobs.first))
        #expect(job.hasLease)
        #expect(job.lease.jobID == Self.id(0) && job.lease.attempt == 1 && job.lease.workerID == "w1")
        #expect(job.lease.workerKey == Self.key("w1"))
        #expect(Self.leaseKey.isValid(job.lease))
        var forged = job.lease
        forged.workerKey = Self.key("other")
        #expect(!Self.leaseKey.isValid(forged), "the token does not follow the lease to another key")
    }

    @Test func aProducerCannotChooseTheLease() throws {
        var h = Self.secured()
        var submit = SampleValues.submit(batch: Self.batch, indices: 0..<1)
        submit.jobs[0].lease = Self.leaseKey.lease(jobID: Self.id(0), attempt: 1, workerID: "w1", workerKey: "")
        let ack = try #require(try h.deliver(.submit(submit), from: DispatcherHarness.producer).submitAck())
        #expect(ack.accepted == 0 && ack.rejected.count == 1)
        #expect(ack.rejected.first?.reason.contains("lease") == true)
    }

    /// A collector's STORED without a valid lease ends only jobs awaiting store; for a job in any other state it
    /// changes nothing and is counted. With a valid lease (a STORED overtaking its DONE) it ends the job.
    @Test func storedWithoutAValidLeaseEndsOnlyJobsAwaitingStore() throws {
        var h = Self.secured()
        try h.hello("w1", capacity: 4)
        try h.hello("c1", capacity: 0, role: .collector)
        try h.submit(batch: Self.batch, 0..<4)
        try h.done("w1", [Self.id(0)])
        #expect(h.journal.state(of: Self.id(0)) == .awaitingStore)

        // Forged: jobs 1 and 2 are in flight; one without a lease, one with a token made with another key.
        let other = LeaseKey.generate().lease(jobID: Self.id(2), attempt: 1, workerID: "w1", workerKey: "")
        let forged = try h.deliver(.stored(.with { $0.jobIds = [Self.id(1), Self.id(2)]; $0.leases = [other] }), from: .peer("c1"))
        #expect(h.journal.state(of: Self.id(1)) == .inFlight && h.journal.state(of: Self.id(2)) == .inFlight)
        #expect(h.machine.securityRefusals[.forgedStored] == 2)
        #expect(h.machine.counts.stored == 0)
        #expect(forged.sent(to: "c1").contains { if case .storedAck = $0 { true } else { false } }, "still acknowledged")

        // Awaiting store: ends without a lease. In flight with its real lease (STORED overtook DONE): ends too.
        let real = Self.leaseKey.lease(jobID: Self.id(3), attempt: 1, workerID: "w1", workerKey: "")
        try h.deliver(.stored(.with { $0.jobIds = [Self.id(0), Self.id(3)]; $0.leases = [real] }), from: .peer("c1"))
        #expect(h.journal.state(of: Self.id(0)) == .stored && h.journal.state(of: Self.id(3)) == .stored)
        #expect(h.machine.securityRefusals[.forgedStored] == 2)
        #expect(h.violations().isEmpty)
    }

    @Test func doneForJobsTheWorkerDoesNotHoldChangesNothingAndIsCounted() throws {
        var h = Self.secured()
        try h.hello("w1", capacity: 1)
        try h.hello("w2", capacity: 1)
        try h.submit(batch: Self.batch, 0..<2)
        let w1Job = try #require(h.machine.jobsHeld(by: .peer("w1")).first)
        try h.done("w2", [w1Job], failed: [w1Job])
        #expect(h.journal.state(of: w1Job) == .inFlight)
        #expect(h.machine.securityRefusals[.doneNotHeld] == 2)
        #expect(h.machine.jobsHeld(by: .peer("w1")) == [w1Job])
    }

    /// Without a lease key (a trusted loopback cluster) STORED ends a job in any state, as before revision 4.
    @Test func withoutALeaseKeyStoredIsTrusted() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 1)
        try h.hello("c1", capacity: 0, role: .collector)
        try h.submit(batch: Self.batch, 0..<1)
        try h.stored([Self.id(0)])
        #expect(h.journal.state(of: Self.id(0)) == .stored)
        #expect(h.machine.securityRefusals.total == 0)
    }
}

@Suite struct LeaseTokenTests {
    let key = LeaseKey.generate()

    @Test func aTokenIsValidForExactlyTheLeaseItWasMadeFor() {
        let lease = key.lease(jobID: "b:1", attempt: 2, workerID: "w", workerKey: "K")
        #expect(key.isValid(lease))
        #expect(lease.token.count == 32)
        var changed = [lease, lease, lease, lease]
        changed[0].jobID = "b:2"
        changed[1].attempt = 3
        changed[2].workerID = "w2"
        changed[3].workerKey = "K2"
        for other in changed { #expect(!key.isValid(other)) }
        #expect(!LeaseKey.generate().isValid(lease), "another key")
        // Field boundaries are unambiguous: moving a character from one field to the next changes the token.
        let a = key.lease(jobID: "ab", attempt: 1, workerID: "c", workerKey: "")
        let b = key.lease(jobID: "a", attempt: 1, workerID: "bc", workerKey: "")
        #expect(a.token != b.token)
    }

    @Test func theCollectorAcceptsOnlyAResultWhoseLeaseIsBoundToItsSender() {
        let sender = PeerAuthority.key("K", roles: [.worker])
        let lease = key.lease(jobID: "b:1", attempt: 1, workerID: "w", workerKey: "K")
        #expect(ResultLeaseCheck.problem(jobID: "b:1", workerID: "w", lease: lease, sender: sender, key: key) == nil)
        #expect(ResultLeaseCheck.problem(jobID: "b:1", workerID: "w", lease: nil, sender: sender, key: key) != nil)
        #expect(ResultLeaseCheck.problem(jobID: "b:2", workerID: "w", lease: lease, sender: sender, key: key) != nil)
        #expect(ResultLeaseCheck.problem(jobID: "b:1", workerID: "x", lease: lease, sender: sender, key: key) != nil)
        let thief = PeerAuthority.key("T", roles: [.worker])
        #expect(ResultLeaseCheck.problem(jobID: "b:1", workerID: "w", lease: lease, sender: thief, key: key) != nil)
        var tampered = lease
        tampered.token[0] ^= 1
        #expect(ResultLeaseCheck.problem(jobID: "b:1", workerID: "w", lease: tampered, sender: sender, key: key) != nil)
        #expect(ResultLeaseCheck.problem(jobID: "b:1", workerID: "w", lease: nil, sender: .trusted, key: nil) == nil,
                "no lease key: trusted cluster")
    }
}
