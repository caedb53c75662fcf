import ArticleAnalysis
import Foundation
import MirsadCore
import MirsadWire

/// Sends one batch of articles to the dispatcher in SUBMIT chunks, within the dispatcher's producer credit and a
/// window of chunks awaiting their SUBMIT_ACK (see `ProducerCredit`), and resends a chunk whose acknowledgement
/// does not come (resubmission is idempotent), so a dispatcher that restarts loses nothing.
///
/// Invariant: every article given to `add` is in exactly one of `buffer`, an outstanding chunk, or the totals
/// (accepted, duplicate or rejected) once its chunk is acknowledged. `buffer` holds at most one chunk plus the
/// chunks refused with BUSY (at most `window`), so memory stays bounded however long the input is.
public final class SubmitSession {
    public struct Options: Sendable {
        public var dispatcherEndpoint: String
        public var batchID: String
        public var includeTokens = false
        /// The batch's priority: higher is served first; batches of one priority share the workers round robin.
        public var priority: Int32 = 0
        /// Articles per SUBMIT, and the most article bytes per SUBMIT.
        public var chunkArticles = 256
        public var chunkBytes = 8 << 20
        /// Chunks sent and not yet acknowledged.
        public var window = 8
        /// A chunk not acknowledged within this long is sent again (a dispatcher restart drops what it had not
        /// acknowledged).
        public var ackTimeout: Duration = .seconds(10)
        /// The time between credit queries (empty SUBMITs) while the dispatcher grants no credit.
        public var creditQueryInterval: Duration = .milliseconds(500)
        /// Set to stop submitting (Ctrl-C): `add` and `finish` then throw `Producer.Interrupted`.
        public var stop = StopRequest()
        /// Give up submitting at this time (`Producer.Options.waitTimeout` counted from the command's start):
        /// `add` and `finish` then throw `Producer.WaitTimeout`. Nil: as long as it takes.
        public var deadline: MonotonicInstant? = nil
        /// What `deadline` is, for the error that reports it.
        public var timeLimit: Duration = .zero
        public var clock = ServiceClock.system
        /// This producer's key and the dispatcher's public key: CURVE when set.
        public var security: ClientSecurity?

        public init(dispatcherEndpoint: String, batchID: String = UUID().uuidString.lowercased()) {
            self.dispatcherEndpoint = dispatcherEndpoint
            self.batchID = batchID
        }
    }

    public struct Totals: Sendable, Codable, Equatable {
        public var sent = 0
        public var accepted = 0
        public var duplicates = 0
        public var rejected = 0
        public var rejections: [String] = []
    }

    private struct Outstanding {
        var submit: Mirsad_V1_Submit
        /// When to send it again if no acknowledgement has come by then.
        var resendAt: MonotonicInstant
    }

    public let options: Options
    public private(set) var totals = Totals()
    /// The flow control: the dispatcher's credit and the window.
    public private(set) var credit: ProducerCredit
    /// Credit queries (empty SUBMITs) sent so far.
    public private(set) var creditQueries = 0
    /// Workers and collectors missing at the dispatcher, as of the last SUBMIT_ACK.
    public private(set) var absence = PeerAbsence(noWorkerForMs: 0, noCollectorForMs: 0)
    /// The dispatcher's journal identity in the latest SUBMIT_ACK (empty before the first, or from a dispatcher
    /// that sends none).
    public private(set) var journalID = ""
    /// Set once a SUBMIT_ACK named another journal than an earlier one: jobs acknowledged before may be gone.
    public private(set) var journalChange: JournalChange?
    private let client: RequestClient
    private var buffer: [Mirsad_V1_Job] = []
    private var bufferBytes = 0
    private var nextIndex = 0
    private var outstanding: [String: Outstanding] = [:]

    public init(options: Options) throws {
        self.options = options
        credit = ProducerCredit(window: options.window, queryInterval: options.creditQueryInterval)
        client = try RequestClient(endpoint: options.dispatcherEndpoint, curve: options.security)
    }

    public var batchID: String { options.batchID }

    private var chunkLimit: Int { max(1, min(options.chunkArticles, ProtocolLimits.maxJobsPerMessage)) }

    /// Queues one article; sends a chunk when one is full, waiting while credit or window allow none.
    public func add(_ article: Article) throws {
        var job = Mirsad_V1_Job()
        job.jobID = SubmitValidation.jobID(batchID: options.batchID, index: nextIndex)
        job.batchID = options.batchID
        job.article = Mirsad_V1_Article(article)
        job.options.includeTokens = options.includeTokens
        nextIndex += 1
        let bytes = job.article.contentBytes
        if !buffer.isEmpty && (buffer.count >= chunkLimit || bufferBytes + bytes > options.chunkBytes) {
            try flush()
        }
        buffer.append(job)
        bufferBytes += bytes
        totals.sent += 1
    }

    /// Throws `Producer.Interrupted` when asked to stop, `Producer.WaitTimeout` past the deadline.
    private func checkStopAndDeadline() throws {
        if options.stop.isRequested { throw Producer.Interrupted() }
        if let deadline = options.deadline, options.clock.monotonic() >= deadline {
            throw Producer.WaitTimeout(batchID: options.batchID, timeout: options.timeLimit, whileSubmitting: true)
        }
    }

    /// Sends what is buffered and waits until every chunk is acknowledged.
    public func finish() throws -> Totals {
        // A chunk refused with BUSY comes back to the buffer, so both must be empty.
        while !buffer.isEmpty || !outstanding.isEmpty {
            if !buffer.isEmpty {
                try flush()
                continue
            }
            try checkStopAndDeadline()
            try pump(timeout: .milliseconds(100))
        }
        return totals
    }

    /// Sends the whole buffer, in several SUBMITs when it holds more than a chunk (jobs refused with BUSY come
    /// back to it) or when the credit allows only part of a chunk at a time.
    private func flush() throws {
        while !buffer.isEmpty {
            let allowed = try awaitAllowance(wanted: nextChunkCount())
            // A chunk refused as BUSY while waiting has come back to the front of the buffer: cut again.
            let count = min(allowed, nextChunkCount())
            var submit = Mirsad_V1_Submit()
            submit.requestID = client.requestID()
            submit.batchID = options.batchID
            submit.priority = options.priority
            if count == buffer.count {
                submit.jobs = buffer
                buffer.removeAll(keepingCapacity: true)
                bufferBytes = 0
            } else {
                submit.jobs = Array(buffer[..<count])
                buffer.removeFirst(count)
                bufferBytes = buffer.reduce(0) { $0 + $1.article.contentBytes }
            }
            try client.socket.sendWaiting(.submit(submit))
            credit.sent(jobs: submit.jobs.count)
            outstanding[submit.requestID] = Outstanding(submit: submit, resendAt: options.clock.monotonic().advanced(by: options.ackTimeout))
        }
    }

    /// The jobs at the front of the buffer that make one chunk: at most `chunkLimit`, at most `chunkBytes` of
    /// articles (at least one job).
    private func nextChunkCount() -> Int {
        var count = 0, bytes = 0
        for job in buffer.prefix(chunkLimit) {
            bytes += job.article.contentBytes
            if count > 0 && bytes > options.chunkBytes { break }
            count += 1
        }
        return count
    }

    /// Pumps acknowledgements until some of `wanted` jobs may be sent; returns how many. Asks for credit with an
    /// empty SUBMIT while the dispatcher grants none or has just refused a chunk as BUSY.
    private func awaitAllowance(wanted: Int) throws -> Int {
        while true {
            let now = options.clock.monotonic()
            let allowed = credit.allowance(wanted: wanted, now: now)
            if allowed > 0 { return allowed }
            try checkStopAndDeadline()
            if credit.shouldQuery(now: now) {
                var query = Mirsad_V1_Submit()
                query.requestID = client.requestID()
                query.batchID = options.batchID
                try client.socket.sendWaiting(.submit(query))
                creditQueries += 1
            }
            try pump(timeout: .milliseconds(50))
        }
    }

    /// Handles acknowledgements for up to `timeout`, and resends chunks whose acknowledgement is late.
    private func pump(timeout: Duration) throws {
        if let reply = try client.receive(timeout: timeout) {
            switch reply {
            case .submitAck(let ack):
                noteJournal(ack.journalID)
                // Every ack carries the dispatcher's current credit: a chunk's, a resent chunk's second copy's, a query's.
                credit.acknowledged(credit: ack.credit)
                absence = PeerAbsence(noWorkerForMs: ack.noWorkerForMs, noCollectorForMs: ack.noCollectorForMs)
                guard let chunk = outstanding.removeValue(forKey: ack.requestID) else { break }
                credit.settled(jobs: chunk.submit.jobs.count)
                totals.accepted += Int(ack.accepted)
                totals.duplicates += Int(ack.duplicates)
                totals.rejected += ack.rejected.count
                for r in ack.rejected {
                    let index = Int(r.index)
                    let id = !r.jobID.isEmpty ? r.jobID
                        : chunk.submit.jobs.indices.contains(index) ? chunk.submit.jobs[index].article.metadata.id
                        : "article \(index) of a chunk"
                    totals.rejections.append("\(id): \(r.reason)")
                }
            case .error(let error) where error.code == .storageFull:
                // Nothing of the refused SUBMIT was taken; what was acknowledged before is kept.
                throw Producer.StorageFull(batchID: options.batchID, acknowledged: totals.accepted + totals.duplicates,
                                           message: error.message)
            case .error(let error) where outstanding[error.requestID] != nil:
                if error.code == .busy {
                    // Not taken: the jobs go back to the front of the buffer, to be cut to the credit and sent
                    // again after a pause (`ProducerCredit.refusedBusy`).
                    let chunk = outstanding.removeValue(forKey: error.requestID)!
                    credit.refusedBusy(jobs: chunk.submit.jobs.count, now: options.clock.monotonic())
                    buffer.insert(contentsOf: chunk.submit.jobs, at: 0)
                    bufferBytes += chunk.submit.jobs.reduce(0) { $0 + $1.article.contentBytes }
                } else {
                    let chunk = outstanding.removeValue(forKey: error.requestID)!
                    credit.settled(jobs: chunk.submit.jobs.count)
                    totals.rejected += chunk.submit.jobs.count
                    totals.rejections.append("a chunk of \(chunk.submit.jobs.count) articles: \(error.code) \(error.message)")
                }
            default:
                break
            }
        }
        let now = options.clock.monotonic()
        for (id, chunk) in outstanding where now >= chunk.resendAt {
            try client.socket.sendWaiting(.submit(chunk.submit))
            outstanding[id]?.resendAt = now.advanced(by: options.ackTimeout)
        }
    }

    /// Remembers the journal identity an acknowledgement named; a change from an earlier one is kept for good.
    private func noteJournal(_ id: String) {
        guard !id.isEmpty else { return }
        if !journalID.isEmpty, id != journalID, journalChange == nil {
            journalChange = JournalChange(from: journalID, to: id)
        }
        journalID = id
    }
}

/// The dispatcher's job journal changed under a batch (deleted, replaced, or another dispatcher at the address).
public struct JournalChange: Sendable, Equatable {
    public var from: String
    public var to: String

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }
}
