import ArgumentParser
import ArticleAnalysis
import Foundation
import MirsadCore
import MirsadMetrics
import MirsadServices
import MirsadWire
import ReportStore
import ServiceLifecycle

/// Prints the line a parent process (`mirsad run`, tests) waits for, then keeps stdout quiet.
@Sendable func announceReady(_ value: String) {
    print("READY \(value)")
    fflush(nil)
}

struct DispatcherCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatcher", abstract: "Take jobs from producers and hand them to workers by credit.")

    @Option(help: "Endpoint to bind (tcp://HOST:PORT; PORT may be * for any free port).")
    var bind: String = Defaults.dispatcherEndpoint
    @Option(help: "Collector endpoint to tell workers in WELCOME, for workers started without --collector.")
    var collector: String = ""
    @Option(help: ArgumentHelp(
        "The job journal, a SQLite file (created if missing). ':memory:' keeps jobs in memory (tests only: a restart loses them).",
        discussion: "Default: journal.sqlite in $STATE_DIRECTORY (systemd), else $XDG_STATE_HOME/mirsad, else ~/.local/state/mirsad."))
    var journal: String?
    @Option(help: ArgumentHelp(
        "How long a stored job's id is remembered (e.g. 90s, 30m, 24h, 7d): resubmitting it within that time is a duplicate; after it the job is forgotten and a resubmission runs again.",
        valueName: "duration"))
    var storedRetention: String = "24h"
    @Option(help: "Attempts a job gets before it is dead-lettered.")
    var maxAttempts: Int = 5
    @Option(help: "Seconds before a failed job's first retry; doubled for each further failure (with jitter).")
    var retryBackoff: Double = 1
    @Option(help: "The longest wait between two attempts of a job, in seconds.")
    var retryBackoffMax: Double = 60
    @Option(help: "Jobs that may wait (queued or retrying) before SUBMIT is refused with BUSY.")
    var maxQueued: Int = 1_000_000
    @Option(help: "Seconds a job stays with a worker that does not list it in its heartbeats (each listing extends it).")
    var leaseTimeout: Double = ProtocolTiming.defaultJobLease.inSeconds
    @Option(help: "Seconds a worker or collector may stay silent before it is declared dead.")
    var livenessTimeout: Double = ProtocolTiming.defaultLivenessTimeout.inSeconds
    @Option(help: "Seconds a job may await its STORED after its DONE before it is queued again (a second run is stored once).")
    var storeDeadline: Double = 120
    @OptionGroup var commits: CommitWindowOption
    @OptionGroup var keys: ServerKeyOptions
    @OptionGroup var metrics: MetricsOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard retryBackoff.isFinite, retryBackoff >= 0, retryBackoff <= 86_400 else {
            throw ValidationError("--retry-backoff must be between 0 and 86400 seconds")
        }
        guard retryBackoffMax.isFinite, retryBackoffMax >= retryBackoff, retryBackoffMax <= 86_400 else {
            throw ValidationError("--retry-backoff-max must be between --retry-backoff and 86400 seconds")
        }
        guard maxQueued >= 1 else { throw ValidationError("--max-queued must be at least 1") }
        guard leaseTimeout.isFinite, leaseTimeout > 0, leaseTimeout <= 86_400 else {
            throw ValidationError("--lease-timeout must be above 0 and at most 86400 seconds")
        }
        guard livenessTimeout.isFinite, livenessTimeout > 0, livenessTimeout <= 86_400 else {
            throw ValidationError("--liveness-timeout must be above 0 and at most 86400 seconds")
        }
        guard storeDeadline.isFinite, storeDeadline > 0, storeDeadline <= 86_400 * 7 else {
            throw ValidationError("--store-deadline must be above 0 and at most 604800 seconds")
        }
        guard journal?.isEmpty != true else { throw ValidationError("--journal must name a file or :memory:") }
        guard DurationText.parse(storedRetention) != nil else {
            throw ValidationError("--stored-retention must be a duration such as 90s, 30m, 24h or 7d")
        }
    }

    func run() async throws {
        try keys.checkBind(service: "dispatcher", endpoint: bind)
        let logger = logging.bootstrap(label: "mirsad.dispatcher")
        var protocolConfiguration = DispatcherConfiguration()
        protocolConfiguration.leaseKey = try keys.leaseKey()
        protocolConfiguration.collectorEndpoint = collector
        protocolConfiguration.livenessTimeout = .seconds(exactly: livenessTimeout)
        protocolConfiguration.jobLease = .seconds(exactly: leaseTimeout)
        protocolConfiguration.maxAttempts = maxAttempts
        protocolConfiguration.retryBackoff = .seconds(exactly: retryBackoff)
        protocolConfiguration.retryBackoffMax = .seconds(exactly: retryBackoffMax)
        protocolConfiguration.maxQueuedJobs = maxQueued
        protocolConfiguration.storeDeadline = .seconds(exactly: storeDeadline)
        protocolConfiguration.randomSeed = UInt64.random(in: .min ... .max)
        protocolConfiguration.version = Defaults.version
        protocolConfiguration.storedRetention = DurationText.parse(storedRetention) ?? Defaults.storedRetention
        let journalPath: String
        do {
            journalPath = try journal ?? StateDirectory.file(Defaults.journalFileName)
        } catch {
            throw CommandFailure("cannot create the state directory \(StateDirectory.path()): \(error)")
        }
        var configuration = DispatcherService.Configuration(
            bindEndpoint: bind, protocolConfiguration: protocolConfiguration, journalPath: journalPath)
        configuration.commitWindow = commits.window
        configuration.security = try keys.security()
        configuration.insecure = keys.insecure
        let registry = metrics.registry()
        configuration.observer = registry.map { DispatcherMetrics(registry: $0, version: Defaults.version) }
        let readyLine = metrics.readyLine()
        let service = DispatcherService(configuration: configuration, logger: logger, ready: readyLine.serviceReady)
        let hangup = reloadOnHangup(configuration.security?.allowlist, logger: logger)
        defer { hangup?.cancel() }
        try await ProcessSignals.runGroup(
            [service] + metrics.services(registry, logger: logger, readyLine: readyLine), logger: logger,
            stopWithin: ProcessSignals.serviceStopLimit)
    }
}

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Analyse articles for a dispatcher, sending results to the collector.",
        discussion: """
            By default a small supervisor process runs the worker as its child and restarts it when it dies \
            (a crash, a hung analysis, kill -9), with a backoff from 0.5 s doubling to 10 s; the new process tells \
            the dispatcher which job a crash happened in. SIGTERM or SIGINT stops the worker gracefully.

            Test-only environment variables (for fault tests; never set them in production): \
            \(TestFaults.poisonVariable)=TEXT makes the analysis of an article whose text or HTML contains TEXT crash \
            the worker process; \(TestFaults.hangVariable)=TEXT makes it never return; \
            \(TestFaults.unreadableVariable)=TEXT gives its result an analysis the collector refuses as unreadable.
            """)

    @Option(help: "The dispatcher's endpoint.")
    var dispatcher: String = Defaults.dispatcherEndpoint
    @Option(help: "The collector's endpoint (default: the one the dispatcher names in WELCOME).")
    var collector: String?
    @Option(help: "Analysis threads (default: the number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Jobs held at once, the credit asked of the dispatcher (default: 128 per thread, at least 256).")
    var capacity: Int?
    @Option(help: "Seconds an analysis may run; past that it is reported failed and the worker process restarts.")
    var jobTimeout: Double = 300
    @Flag(help: "Run the worker in this process, without the supervisor process that restarts it.")
    var noSupervise = false
    @Option(help: ArgumentHelp(
        "What to do with each article: full (the analysis), or, to benchmark the cluster alone, none (an empty result at once) or sleep:DURATION (an empty result after e.g. sleep:20ms).",
        valueName: "full|none|sleep:DURATION"))
    var analysis: String = "full"
    @OptionGroup var keys: ClientKeyOptions
    @Option(name: .customLong("collector-key"), help: ArgumentHelp(
        "The collector's public certificate (its NAME.key): results go over CURVE. Needs --key.", valueName: "file"))
    var collectorKeyFile: String?
    @OptionGroup var metrics: MetricsOptions

    /// Set by the supervisor on the child it starts (the handover comes in environment variables).
    @Flag(help: .hidden)
    var supervisedChild = false
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        if let capacity, !(1...ProtocolLimits.maxCredit).contains(capacity) {
            throw ValidationError("--capacity must be between 1 and \(ProtocolLimits.maxCredit)")
        }
        guard jobTimeout > 0, jobTimeout <= 86_400 * 365 else {
            throw ValidationError("--job-timeout must be a positive number of seconds, got \(jobTimeout)")
        }
        if collectorKeyFile != nil, keys.keyFile == nil { throw ValidationError("--collector-key needs --key") }
        guard WorkerAnalysis(argument: analysis) != nil else {
            throw ValidationError("--analysis must be full, none or sleep:DURATION (e.g. sleep:20ms), got '\(analysis)'")
        }
    }

    func run() async throws {
        let logger = logging.bootstrap(label: supervisedChild || noSupervise ? "mirsad.worker" : "mirsad.worker.supervisor")
        if !supervisedChild && !noSupervise {
            let supervisor = WorkerSupervisor(
                configuration: .init(
                    executable: ManagedProcess.currentExecutable(),
                    arguments: Array(CommandLine.arguments.dropFirst()) + ["--supervised-child"]),
                logger: logger, ready: announceReady)
            try await ProcessSignals.runGroup([supervisor], logger: logger)
            if let status = supervisor.exitStatus, status != 0 { throw ExitCode(status) }
            return
        }
        var configuration = WorkerService.Configuration(
            dispatcherEndpoint: dispatcher, collectorEndpoint: collector, threads: threads, capacity: capacity)
        configuration.jobTimeout = .seconds(exactly: jobTimeout)
        let faults = TestFaults.fromEnvironment()
        if !faults.isEmpty {
            configuration.beforeAnalysis = { faults.strike($0) }
            configuration.afterAnalysis = { faults.garble(&$1, of: $0) }
        }
        configuration.analysis = WorkerAnalysis(argument: analysis) ?? .full
        configuration.dispatcherSecurity = try keys.dispatcherSecurity()
        configuration.collectorSecurity = try keys.security(serverKeyFile: collectorKeyFile)
        if configuration.analysis != .full {
            logger.notice("analysis is '\(configuration.analysis)': results are empty (a benchmark setting)")
        }
        if !faults.isEmpty {
            logger.warning("test-only faults are on: \(faults)")
        }
        if supervisedChild {
            let handover = try WorkerHandover.fromEnvironment()
            try CrashReporter.install(reportingTo: try handover.attachToSupervisor())
            configuration.workerID = handover.workerID
            configuration.replaces = handover.replaces
            configuration.crashed = handover.crashed
        } else {
            try CrashReporter.install(reportingTo: STDERR_FILENO)
        }
        let analyzer = configuration.analysis == .full ? loadAnalyzer { logger.error("\($0)") } : ArticleAnalyzer()
        // The worker process serves the metrics (the supervisor passes --metrics on to it and serves none).
        let registry = metrics.registry()
        configuration.observer = registry.map { WorkerMetrics(registry: $0, version: Defaults.version) }
        let readyLine = metrics.readyLine()
        let service = WorkerService(configuration: configuration, analyzer: analyzer, logger: logger, ready: readyLine.serviceReady)
        // A worker whose analysis hung ends on its own; the group then ends as well, without an error.
        try await ProcessSignals.runGroup([service] + metrics.services(registry, logger: logger, readyLine: readyLine), logger: logger)
        if case .stuck = service.outcome {
            throw ExitCode(WorkerService.stuckExitStatus)
        }
    }
}

struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector", abstract: "Store every result in the report store and acknowledge it.")

    @Option(help: "Endpoint to bind for workers' results.")
    var bind: String = Defaults.collectorEndpoint
    @Option(help: "The dispatcher's endpoint.")
    var dispatcher: String = Defaults.dispatcherEndpoint
    @Option(help: ArgumentHelp(
        "The report store: a SQLite file's path (created if missing), or postgres://USER:PASSWORD@HOST:PORT/DATABASE (tables created if missing; several collectors may share one).",
        discussion: "Default: reports.sqlite in $STATE_DIRECTORY (systemd), else $XDG_STATE_HOME/mirsad, else ~/.local/state/mirsad."))
    var store: String?
    @OptionGroup var keys: ServerKeyOptions
    @Option(name: .customLong("dispatcher-key"), help: ArgumentHelp(
        "The dispatcher's public certificate (its NAME.key), for this collector's link to it over CURVE. Needs --key.",
        valueName: "file"))
    var dispatcherKeyFile: String?
    @OptionGroup var commits: CommitWindowOption
    @Option(name: .customLong("index-nice"), help: ArgumentHelp(
        "The nice value (0-19) of the thread that indexes stored results for reports: above 0 it yields to analysis on busy cores (and pauses between batches, taking about a tenth of a core, while they stay busy) and catches up when they idle; 0 shares the cores evenly.",
        valueName: "n"))
    var indexNiceness: Int32 = 10
    @OptionGroup var metrics: MetricsOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (0...19).contains(indexNiceness) else { throw ValidationError("--index-nice must be 0 to 19, got \(indexNiceness)") }
        if dispatcherKeyFile != nil, keys.keyFile == nil { throw ValidationError("--dispatcher-key needs --key") }
        if keys.keyFile != nil, dispatcherKeyFile == nil {
            throw ValidationError("--key needs --dispatcher-key FILE (the dispatcher's public certificate)")
        }
    }

    func run() async throws {
        try keys.checkBind(service: "collector", endpoint: bind, extraFlags: " --dispatcher-key FILE")
        let logger = logging.bootstrap(label: "mirsad.collector")
        let location: ReportStoreLocation
        let reportStore: any ReportStore
        do {
            location = try store.map(ReportStoreLocation.init) ?? .sqlite(path: StateDirectory.file(Defaults.storeFileName))
        } catch {
            throw CommandFailure("cannot create the state directory \(StateDirectory.path()): \(error)")
        }
        do {
            // A SQLite store stages: results are acknowledged once in its inbox and indexed by `ReportIndexer`.
            reportStore = try location.open(options: .init(stagesResults: true))
        } catch let error as ReportStoreError {
            throw CommandFailure("\(error)")
        } catch {
            throw CommandFailure("cannot open the report store at \(location): \(error)")
        }
        var configuration = CollectorService.Configuration(bindEndpoint: bind, dispatcherEndpoint: dispatcher)
        configuration.commitWindow = commits.window
        configuration.security = try keys.security()
        configuration.insecure = keys.insecure
        configuration.leaseKey = try keys.leaseKey()
        configuration.dispatcherSecurity = try ClientKeyOptions.security(
            keyFile: keys.keyFile, serverKeyFile: dispatcherKeyFile)
        let registry = metrics.registry()
        let collectorMetrics = registry.map { CollectorMetrics(registry: $0, version: Defaults.version) }
        configuration.observer = collectorMetrics
        let readyLine = metrics.readyLine()
        let service = CollectorService(configuration: configuration, store: reportStore, logger: logger, ready: readyLine.serviceReady)
        if let registry { collectorMetrics?.follow({ service.statistics }, registry: registry) }
        let hangup = reloadOnHangup(configuration.security?.allowlist, logger: logger)
        defer { hangup?.cancel() }
        var services: [any Service] = [service]
        if let staged = reportStore as? SQLiteReportStore {
            var indexing = ReportIndexer.Configuration()
            indexing.niceness = indexNiceness
            if indexNiceness == 0 { indexing.busyShare = nil }
            services.append(ReportIndexer(store: staged, configuration: indexing, logger: logger))
        }
        try await ProcessSignals.runGroup(
            services + metrics.services(registry, logger: logger, readyLine: readyLine), logger: logger,
            stopWithin: ProcessSignals.serviceStopLimit)
        // Stopped, the store is its file alone: its log (up to `checkpointLogBytes` and more, which SQLite copies
        // back only when the last connection closes, and this process exits without closing) is copied in and
        // emptied, so that what a user sees on disk is what the store takes.
        if let sqlite = reportStore as? SQLiteReportStore {
            let started = ContinuousClock.now
            do {
                try sqlite.checkpoint()
                logger.info("store log copied into \(sqlite.path) in \(ContinuousClock.now - started)")
            } catch {
                logger.warning("could not copy the store's log into \(sqlite.path) (it stays beside the file until a later checkpoint): \(error)")
            }
        }
    }
}
