import Foundation
import GRDB
import MirsadServices
#if canImport(Glibc)
import Glibc
#endif

/// The dispatcher's timing and retry options and the workers' options a fault test runs with.
struct FaultSettings {
    var maxAttempts = 3
    var retryBackoffSeconds = 0.2
    var retryBackoffMaxSeconds = 1.0
    var leaseTimeoutSeconds = 10.0
    var livenessTimeoutSeconds = 2.0
    var jobTimeoutSeconds: Double? = nil
    var workerThreads = 1
    /// Jobs a worker holds at once (`--capacity`, its credit).
    var workerCapacity = 32
    /// Extra environment for the workers (the test-only poison and hang markers).
    var workerEnvironment: [String: String] = [:]
    /// Where the report store lives (default: the cluster's temporary directory).
    var storeDirectory: URL? = nil
    /// Where the dispatcher's journal lives (default: the cluster's temporary directory).
    var journalDirectory: URL? = nil
}

/// A dispatcher (journal on disk), a collector (store on disk) and workers as separate `mirsad` processes on
/// fixed loopback ports, each of which can be killed with `kill -9`, frozen, and started again on the same
/// endpoint, journal and store.
///
/// Each process runs in a process group of its own, its standard error appended to its role's log (every incarnation
/// of a role writes to the same file, so a role's whole story is in one place). Every process is ended by
/// `shutdown()` (SIGTERM, then SIGKILL), so a test ends with nothing running. Logs stay in `directory`; `printLogs()`
/// shows their tails.
final class FaultCluster {
    /// A worker runs under its supervisor (the default) or alone (`--no-supervise`).
    enum WorkerMode: Equatable { case supervised, unsupervised }

    enum Role: Hashable, CustomStringConvertible {
        case dispatcher, collector, worker(Int)
        var description: String {
            switch self {
            case .dispatcher: "dispatcher"
            case .collector: "collector"
            case .worker(let index): "worker-\(index)"
            }
        }
    }

    let directory: URL
    let settings: FaultSettings
    let journalPath: String
    let storePath: String
    let dispatcherEndpoint: String
    let collectorEndpoint: String
    let workerModes: [WorkerMode]
    private var running: [Role: ManagedProcess] = [:]
    private var incarnations: [Role: Int] = [:]
    private var others: [ManagedProcess] = []

    private init(workers: [WorkerMode], settings: FaultSettings) throws {
        directory = try TestPaths.temporaryDirectory()
        self.settings = settings
        workerModes = workers
        journalPath = (settings.journalDirectory ?? directory).appendingPathComponent("journal.sqlite").path
        storePath = (settings.storeDirectory ?? directory).appendingPathComponent("reports.sqlite").path
        let dispatcherPort = try freeLoopbackPort()
        var collectorPort = try freeLoopbackPort()
        while collectorPort == dispatcherPort { collectorPort = try freeLoopbackPort() }
        dispatcherEndpoint = "tcp://127.0.0.1:\(dispatcherPort)"
        collectorEndpoint = "tcp://127.0.0.1:\(collectorPort)"
    }

    static func start(workers: [WorkerMode], settings: FaultSettings = FaultSettings()) async throws -> FaultCluster {
        let cluster = try FaultCluster(workers: workers, settings: settings)
        print("fault: cluster in \(cluster.directory.path): dispatcher \(cluster.dispatcherEndpoint), collector \(cluster.collectorEndpoint)")
        do {
            try await cluster.start(.dispatcher)
            try await cluster.start(.collector)
            for index in workers.indices { try await cluster.start(.worker(index)) }
        } catch {
            cluster.printLogs()
            await cluster.shutdown()
            throw error
        }
        return cluster
    }

    private func arguments(for role: Role) -> [String] {
        switch role {
        case .dispatcher:
            return [
                "dispatcher", "--bind", dispatcherEndpoint, "--journal", journalPath,
                "--max-attempts", String(settings.maxAttempts),
                "--retry-backoff", String(settings.retryBackoffSeconds),
                "--retry-backoff-max", String(settings.retryBackoffMaxSeconds),
                "--lease-timeout", String(settings.leaseTimeoutSeconds),
                "--liveness-timeout", String(settings.livenessTimeoutSeconds),
            ]
        case .collector:
            return ["collector", "--bind", collectorEndpoint, "--dispatcher", dispatcherEndpoint, "--store", storePath]
        case .worker(let index):
            var arguments = [
                "worker", "--dispatcher", dispatcherEndpoint, "--collector", collectorEndpoint,
                "--threads", String(settings.workerThreads), "--capacity", String(settings.workerCapacity),
            ]
            if let timeout = settings.jobTimeoutSeconds { arguments += ["--job-timeout", String(timeout)] }
            if workerModes[index] == .unsupervised { arguments.append("--no-supervise") }
            return arguments
        }
    }

    /// Starts `role` (again) on its endpoint and waits for its READY line.
    @discardableResult
    func start(_ role: Role, readyTimeout: Duration = .seconds(60)) async throws -> ManagedProcess {
        if let old = running[role], old.isRunning {
            throw TestFailure(description: "\(role) is already running (pid \(old.processIdentifier))")
        }
        let incarnation = incarnations[role, default: 0]
        incarnations[role] = incarnation + 1
        let logPath = directory.appendingPathComponent("\(role).log").path
        appendToLog(logPath, "----- \(role) start #\(incarnation + 1) at \(Date()) -----\n")
        var launch = ManagedProcess.Configuration(executable: TestPaths.mirsad, arguments: arguments(for: role) + ["--log-level", "debug"])
        if case .worker = role { launch.environment = settings.workerEnvironment }
        launch.errorLogPath = logPath
        launch.ownProcessGroup = true
        let process = try await ManagedProcess.start(role.description, launch)
        running[role] = process
        _ = try await process.awaitLine(prefix: "READY", timeout: readyTimeout)
        return process
    }

    /// The running process of `role`.
    func process(_ role: Role) -> ManagedProcess? { running[role] }

    /// `kill -9` on `role` and everything it started; returns once it is reaped.
    func kill9(_ role: Role) async {
        guard let process = running[role] else { return }
        appendToLog(directory.appendingPathComponent("\(role).log").path,
                    "----- \(role) pid \(process.processIdentifier) killed with SIGKILL at \(Date()) -----\n")
        await process.kill9()
    }

    /// Notes in `role`'s log what was done to it, and when.
    func log(_ role: Role, _ event: String) {
        appendToLog(directory.appendingPathComponent("\(role).log").path, "----- \(role) \(event) at \(Date()) -----\n")
    }

    /// SIGSTOP (`frozen` true) or SIGCONT to `role` and every process it started.
    func freeze(_ role: Role, _ frozen: Bool) {
        guard let process = running[role] else { return }
        appendToLog(directory.appendingPathComponent("\(role).log").path,
                    "----- \(role) \(frozen ? "SIGSTOP" : "SIGCONT") at \(Date()) -----\n")
        process.signalFamily(frozen ? SIGSTOP : SIGCONT)
    }

    /// Starts `mirsad submit INPUT --wait --json` in the background.
    func submit(_ input: URL, batch: String) async throws -> ManagedProcess {
        var launch = ManagedProcess.Configuration(
            executable: TestPaths.mirsad,
            arguments: ["submit", input.path, "--dispatcher", dispatcherEndpoint, "--batch", batch, "--wait", "--json",
                        "--log-level", "debug"])
        launch.errorLogPath = directory.appendingPathComponent("producer.log").path
        launch.ownProcessGroup = true
        launch.stopGrace = .seconds(2)
        let process = try await ManagedProcess.start("producer", launch)
        others.append(process)
        return process
    }

    /// `mirsad status --json`, or nil when the dispatcher does not answer.
    func status() async -> [String: Any]? {
        guard let result = try? await runMirsad(["status", "--dispatcher", dispatcherEndpoint, "--json", "--timeout", "3"]),
              result.status == 0 else { return nil }
        return try? decodeJSON(result.stdout)
    }

    /// `mirsad dlq list --json`, or nil when the command fails.
    func deadLetters(batch: String? = nil) async -> [String: Any]? {
        var arguments = ["dlq", "list", "--dispatcher", dispatcherEndpoint, "--json", "--limit", "1000"]
        if let batch { arguments += ["--batch", batch] }
        guard let result = try? await runMirsad(arguments), result.status == 0 else { return nil }
        return try? decodeJSON(result.stdout)
    }

    /// `mirsad dlq retry --all --json`.
    func retryAllDeadLetters() async throws -> CommandResult {
        try await runMirsad(["dlq", "retry", "--dispatcher", dispatcherEndpoint, "--all", "--json"])
    }

    /// Ends every process: SIGCONT (a frozen one cannot stop), SIGTERM, SIGKILL after its grace (10 s, the
    /// producer's 2 s). The producer first, then the workers, then the collector, then the dispatcher.
    func shutdown() async {
        for process in others { await process.terminate() }
        others.removeAll()
        let order = running.keys.sorted { rank($0) < rank($1) }
        for role in order { await running[role]?.terminate() }
        running.removeAll()
    }

    /// Runs a test's `body` (which says whether the test passed), then ends every process, thrown or not; the
    /// directory is kept, with the logs' tails printed, unless it passed.
    func run(_ body: () async throws -> Bool) async throws {
        let passed: Bool
        do {
            passed = try await body()
        } catch {
            printLogs()
            await shutdown()
            throw error
        }
        if !passed { printLogs() }
        await shutdown()
        if passed { removeFiles() }
    }

    private func rank(_ role: Role) -> Int {
        switch role {
        case .worker(let index): index
        case .collector: 1_000
        case .dispatcher: 1_001
        }
    }

    /// Deletes the cluster's directory (articles, journal, store, logs): after a test that passed, once every
    /// process has ended. A failing test keeps it for a look.
    func removeFiles() {
        guard running.values.allSatisfy({ !$0.isRunning }) else { return }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The last `lines` lines of every log in the cluster's directory, for a failing test's output.
    func printLogs(lines: Int = 40) {
        let logs = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".log") }.sorted()
        for name in logs {
            let text = (try? String(contentsOfFile: directory.appendingPathComponent(name).path, encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
            print("fault: ===== \(name) (last \(tail.count) lines) =====")
            print(tail.joined(separator: "\n"))
        }
    }

    private func appendToLog(_ path: String, _ line: String) {
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else { return }
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        try? handle.close()
    }
}

/// What the report store holds, read with a read-only connection (the collector may be writing).
struct StoreFigures: CustomStringConvertible {
    /// Rows in `results`.
    var rows: Int
    /// Distinct job ids in `results`.
    var distinctJobs: Int
    /// Rows with status `analysed`.
    var analysed: Int
    /// Rows per worker id.
    var rowsByWorker: [String: Int]

    var duplicateRows: Int { rows - distinctJobs }

    var description: String {
        "\(rows) rows, \(distinctJobs) distinct job ids, \(analysed) analysed, by worker "
            + rowsByWorker.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// Reads the store at `path`; nil when it does not exist yet or cannot be read at the moment.
    static func read(_ path: String) -> StoreFigures? {
        guard let rows = StoredRows.read(path) else { return nil }
        var byWorker: [String: Int] = [:]
        for row in rows { byWorker[row.workerID, default: 0] += 1 }
        return StoreFigures(
            rows: rows.count, distinctJobs: Set(rows.map(\.jobID)).count,
            analysed: rows.filter { $0.status == "analysed" }.count, rowsByWorker: byWorker)
    }

    /// Job ids of the stored rows of `batch` (to name what is missing).
    static func storedJobIDs(_ path: String) -> Set<String> {
        Set((StoredRows.read(path) ?? []).map(\.jobID))
    }
}

/// The job rows of a SQLite report store, wherever they are: a collector commits them to the store's inbox
/// (`<store>-inbox`) and indexes them into its `results` table later; the inbox's rows up to the store's
/// `indexed_seq` are in both and are read once. The inbox is read first, so a row moved meanwhile is in `results`.
struct StoredRows {
    var jobID: String
    var status: String
    var workerID: String

    /// Nil when the store does not exist yet or cannot be read at the moment.
    static func read(_ path: String) -> [StoredRows]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(2)
        let select = "SELECT job_id, status, worker_id FROM"
        func rows(_ db: Database, _ sql: String, _ arguments: StatementArguments = []) throws -> [StoredRows] {
            try Row.fetchAll(db, sql: sql, arguments: arguments).map {
                StoredRows(jobID: $0[0], status: $0[1], workerID: $0[2] ?? "?")
            }
        }
        let inboxPath = path + "-inbox"
        var staged: [(seq: Int64, row: StoredRows)] = []
        if FileManager.default.fileExists(atPath: inboxPath) {
            guard let inbox = try? DatabaseQueue(path: inboxPath, configuration: configuration),
                  let read = try? inbox.read({ db in
                      try Row.fetchAll(db, sql: "SELECT seq, job_id, status, worker_id FROM inbox").map {
                          (seq: $0[0] as Int64, row: StoredRows(jobID: $0[1], status: $0[2], workerID: $0[3] ?? "?"))
                      }
                  }) else { return nil }
            staged = read
        }
        guard let database = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        return try? database.read { db -> [StoredRows]? in
            guard try db.tableExists("results") else { return nil }
            let indexed = try db.tableExists("inbox_progress")
                ? try Int64.fetchOne(db, sql: "SELECT indexed_seq FROM inbox_progress") ?? 0 : 0
            return try rows(db, "\(select) results") + staged.filter { $0.seq > indexed }.map(\.row)
        }
    }

    /// Jobs stored (a job id has one row in `results` and at most one in the inbox), or nil when the store cannot be
    /// read at the moment.
    static func count(_ path: String) -> Int? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(1)
        var staged: [Int64] = []
        let inboxPath = path + "-inbox"
        if FileManager.default.fileExists(atPath: inboxPath) {
            guard let inbox = try? DatabaseQueue(path: inboxPath, configuration: configuration),
                  let seqs = try? inbox.read({ try Int64.fetchAll($0, sql: "SELECT seq FROM inbox") }) else { return nil }
            staged = seqs
        }
        guard let database = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        return try? database.read { db -> Int? in
            guard try db.tableExists("results") else { return nil }
            let indexed = try db.tableExists("inbox_progress")
                ? try Int64.fetchOne(db, sql: "SELECT indexed_seq FROM inbox_progress") ?? 0 : 0
            return (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results") ?? 0) + staged.filter { $0 > indexed }.count
        }
    }
}
