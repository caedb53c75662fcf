import ArticleAnalysis
import MirsadCore
@testable import MirsadWire

/// The golden messages in `Protocols/fixtures/`: one `<name>.bin` (the body frame) and one `<name>.txt`
/// (command and body in protobuf text format) per entry.
enum FixtureCatalog {
    struct Fixture: Sendable {
        var name: String
        var message: MirsadMessage
    }

    static let batch = "5f0c6a1e-3b7d-4c2a-9e51-0d8f2b6a7c10"
    /// The lease key of the revision-4 fixtures: the bytes 0x00 to 0x1F, so that another implementation can check
    /// its tokens against them.
    static let leaseKey = try! LeaseKey(bytes: Array(0..<32))
    /// A CURVE public key (Z85) for the fixtures' worker.
    static let workerKey = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

    static var all: [Fixture] {
        let submit = Mirsad_V1_Submit.with {
            $0.requestID = "req-1"
            $0.batchID = batch
            $0.jobs = [
                .with {
                    $0.jobID = "\(batch):0"
                    $0.batchID = batch
                    $0.article = Mirsad_V1_Article(SampleValues.article)
                    $0.options.includeTokens = true
                },
                .with {
                    $0.jobID = "\(batch):1"
                    $0.batchID = batch
                    $0.article = Mirsad_V1_Article(Article(id: "page.html", content: .html("<html><body><p>خبر</p></body></html>")))
                },
            ]
        }
        let result = Mirsad_V1_Result.with {
            $0.jobID = "\(batch):0"
            $0.batchID = batch
            $0.article = Mirsad_V1_ArticleMetadata(SampleValues.article)
            $0.analysis = Mirsad_V1_Analysis(SampleValues.analysis, includeTokens: true)
            $0.workerID = "host-a-4242-1"
            $0.timings = .with { $0.analysisUs = 1_850; $0.receivedUnixMs = 1_764_000_000_000; $0.finishedUnixMs = 1_764_000_000_002 }
        }
        let lease = leaseKey.lease(jobID: "\(batch):0", attempt: 2, workerID: "host-a-4242-1", workerKey: workerKey)
        return [
            Fixture(name: "hello-worker", message: .hello(.with {
                $0.role = .worker; $0.id = "host-a-4242-1"; $0.host = "host-a"; $0.pid = 4242
                $0.version = "mirsad 1.0.0"; $0.capacity = 16
            })),
            Fixture(name: "hello-worker-replacing", message: .hello(.with {
                $0.role = .worker; $0.id = "host-a-4250-2"; $0.host = "host-a"; $0.pid = 4250
                $0.version = "mirsad 1.0.0"; $0.capacity = 16; $0.replaces = "host-a-4242-1"
                $0.crashed = [.with { $0.jobID = "\(batch):0"; $0.error = "worker process crashed with SIGILL while analysing it" }]
            })),
            Fixture(name: "hello-collector", message: .hello(.with {
                $0.role = .collector; $0.id = "host-b-77-1"; $0.host = "host-b"; $0.pid = 77; $0.version = "mirsad 1.0.0"
            })),
            Fixture(name: "hello-worker-clock", message: .hello(.with {
                $0.role = .worker; $0.id = "host-a-4242-1"; $0.host = "host-a"; $0.pid = 4242
                $0.version = "mirsad 1.0.0"; $0.capacity = 16; $0.sentUnixMs = 1_767_225_600_000
            })),
            Fixture(name: "welcome", message: .welcome(.with {
                $0.collectorEndpoint = "tcp://127.0.0.1:5571"; $0.heartbeatIntervalMs = 1000; $0.livenessTimeoutMs = 5000
                $0.limits = .current; $0.version = "mirsad 1.0.0"
            })),
            Fixture(name: "submit", message: .submit(submit)),
            Fixture(name: "submit-ack", message: .submitAck(.with {
                $0.requestID = "req-1"; $0.batchID = batch; $0.accepted = 1; $0.duplicates = 0; $0.credit = 4095
                $0.rejected = [.with { $0.index = 1; $0.jobID = "\(batch):1"; $0.reason = "article of 5000000 bytes is above the limit of 4194304" }]
            })),
            Fixture(name: "submit-credit-query", message: .submit(.with { $0.requestID = "req-9" })),
            Fixture(name: "submit-priority", message: .submit({ var urgent = submit; urgent.priority = 5; return urgent }())),
            Fixture(name: "dead-letters", message: .deadLetters(.with {
                $0.requestID = "req-4"; $0.batchID = batch; $0.limit = 100; $0.afterJobID = "\(batch):12"
            })),
            Fixture(name: "dead-letters-reply", message: .deadLettersReply(.with {
                $0.requestID = "req-4"
                $0.letters = [.with {
                    $0.jobID = "\(batch):17"; $0.batchID = batch; $0.error = "analysis did not finish within 300 s"
                    $0.workerID = "host-a-4242-1"; $0.attempts = 5; $0.deadUnixMs = 1_764_000_123_456; $0.articleID = "ant-000042"
                }]
                $0.total = 3; $0.more = true
            })),
            Fixture(name: "retry-dead-letters", message: .retryDeadLetters(.with {
                $0.requestID = "req-5"; $0.jobIds = ["\(batch):17", "\(batch):99"]
            })),
            Fixture(name: "retry-dead-letters-all", message: .retryDeadLetters(.with {
                $0.requestID = "req-6"; $0.all = true; $0.batchID = batch
            })),
            Fixture(name: "retry-dead-letters-reply", message: .retryDeadLettersReply(.with {
                $0.requestID = "req-5"; $0.requeued = 1; $0.notDead = ["\(batch):99"]
            })),
            Fixture(name: "batch-status", message: .batchStatus(.with { $0.requestID = "req-2"; $0.batchID = batch })),
            Fixture(name: "batch-status-reply", message: .batchStatusReply(.with {
                $0.requestID = "req-2"; $0.batchID = batch; $0.known = true; $0.total = 10; $0.queued = 3; $0.inFlight = 2
                $0.awaitingStore = 1; $0.stored = 2; $0.failed = 1; $0.retrying = 1
            })),
            Fixture(name: "batch-status-reply-no-worker", message: .batchStatusReply(.with {
                $0.requestID = "req-2"; $0.batchID = batch; $0.known = true; $0.total = 10; $0.queued = 10
                $0.noWorkerForMs = 42_000
            })),
            Fixture(name: "status", message: .status(.with { $0.requestID = "req-3" })),
            Fixture(name: "status-reply", message: .statusReply(.with {
                $0.requestID = "req-3"; $0.queued = 120; $0.inFlight = 32; $0.awaitingStore = 4; $0.stored = 17_000; $0.failed = 2
                $0.workers = [.with {
                    $0.id = "host-a-4242-1"; $0.host = "host-a"; $0.pid = 4242; $0.capacity = 16; $0.inFlight = 16
                    $0.done = 8_500; $0.failed = 1; $0.rate = 250.5; $0.silentMs = 120
                }]
                $0.collectors = 1; $0.throughput10S = 498.25; $0.throughput1M = 480; $0.latencyP50Ms = 35.5; $0.latencyP99Ms = 210
                $0.uptimeMs = 61_000; $0.malformedMessages = 3; $0.refusedMessages = 1; $0.batches = 2; $0.version = "mirsad 1.0.0"
                $0.retrying = 5; $0.deadLetters = 2; $0.redispatches = 40; $0.journal = "sqlite:/var/lib/mirsad/journal.sqlite"
            })),
            Fixture(name: "jobs", message: .jobs(.with { $0.jobs = submit.jobs })),
            Fixture(name: "done", message: .done(.with {
                $0.jobIds = ["\(batch):0"]
                $0.failures = [.with { $0.jobID = "\(batch):1"; $0.error = "analysis failed: text is binary" }]
            })),
            Fixture(name: "done-permanent", message: .done(.with {
                $0.failures = [.with { $0.jobID = "\(batch):1"; $0.error = "invalid article: no body"; $0.permanent = true }]
            })),
            Fixture(name: "heartbeat", message: .heartbeat),
            Fixture(name: "heartbeat-worker", message: .heartbeat(.with { $0.jobIds = ["\(batch):0", "\(batch):1"] })),
            Fixture(name: "heartbeat-clock", message: .heartbeat(.with {
                $0.jobIds = ["\(batch):0"]; $0.sentUnixMs = 1_767_225_601_000
            })),
            Fixture(name: "bye", message: .bye(.with { $0.reason = "shutting down" })),
            Fixture(name: "stored", message: .stored(.with { $0.jobIds = ["\(batch):0"] })),
            Fixture(name: "stored-ack", message: .storedAck(.with { $0.jobIds = ["\(batch):0"] })),
            Fixture(name: "results", message: .results(.with { $0.results = [result] })),
            Fixture(name: "results-ack", message: .resultsAck(.with { $0.jobIds = ["\(batch):0"] })),
            Fixture(name: "results-ack-refused", message: .resultsAck(.with {
                $0.jobIds = ["\(batch):0"]; $0.takesZlib = true
                $0.refused = [.with {
                    $0.jobID = "\(batch):1"
                    $0.reason = "unreadable analysis: analysis.canonical_entities[3].type: unspecified or unknown entity type 0"
                }]
            })),
            // Revision 5: the collector names the zstd dictionary it takes analyses compressed with.
            Fixture(name: "results-ack-zstd", message: .resultsAck(.with {
                $0.jobIds = ["\(batch):0"]; $0.takesZlib = true; $0.zstdDictionary = 1_907_241_483
            })),
            // Revision 4: leases (protocol section 11.8.3).
            Fixture(name: "jobs-leased", message: .jobs(.with {
                $0.jobs = [{ var job = submit.jobs[0]; job.lease = lease; return job }()]
            })),
            Fixture(name: "results-leased", message: .results(.with {
                $0.results = [{ var leased = result; leased.lease = lease; return leased }()]
            })),
            // Revision 6: the worker has nothing left to analyse; the collector and the dispatcher commit at once.
            Fixture(name: "results-idle", message: .results(.with { $0.results = [result]; $0.workerIdle = true })),
            Fixture(name: "done-idle", message: .done(.with { $0.jobIds = ["\(batch):0"]; $0.workerIdle = true })),
            Fixture(name: "stored-leases", message: .stored(.with { $0.jobIds = ["\(batch):0"]; $0.leases = [lease] })),
            Fixture(name: "status-reply-security", message: .statusReply(.with {
                $0.requestID = "req-7"; $0.refusedMessages = 5; $0.version = "mirsad 1.0.0"
                // One kind per map only: protobuf writes map entries in no fixed order.
                $0.peerProblems = ["refused": 5]
                $0.securityRefusals = ["forbidden by role": 3]
            })),
            Fixture(name: "status-reply-peers", message: .statusReply(.with {
                $0.requestID = "req-8"; $0.stored = 10; $0.collectors = 1; $0.version = "mirsad 1.0.0"
                $0.workers = [.with {
                    $0.id = "host-a-4242-1"; $0.host = "host-a"; $0.pid = 4242; $0.capacity = 16; $0.done = 10
                    $0.version = "mirsad 1.0.0"; $0.clockOffsetMs = -1_250; $0.clockKnown = true
                }]
                $0.collectorSessions = [.with {
                    $0.id = "host-b-77-1"; $0.host = "host-b"; $0.pid = 77; $0.version = "mirsad 0.9.0"
                }]
            })),
            Fixture(name: "error", message: .error(.notAllowed, "SUBMIT is not allowed from a worker", requestID: "", command: .submit)),
            Fixture(name: "error-version-mismatch", message: .error(.with {
                $0.code = .versionMismatch; $0.message = "this dispatcher speaks MRSD1 only"; $0.command = 0x01
            })),
        ]
    }
}
