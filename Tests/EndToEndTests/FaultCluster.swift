import Foundation
import GRDB
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
}

/// A dispatcher (journal on disk), a collector (store on disk) and workers as separate `mirsad` processes on
/// fixed loopback ports, each of which can be killed with `kill -9`, frozen, and started again on the same
/// endpoint, journal and store.
///
/// Every process is ended by `shutdown()` (SIGTERM, then SIGKILL), which `deinit` also calls, so a failing test
/// leaves nothing running. Logs stay in `directory`; `printLogs()` shows their tails.
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
    private var running: [Role: FaultProcess] = [:]
    private var incarnations: [Role: Int] = [:]
    private var others: [FaultProcess] = []

    init(workers: [WorkerMode], settings: FaultSettings = FaultSettings()) throws {
        directory = try TestPaths.temporaryDirectory()
        self.settings = settings
        workerModes = workers
        journalPath = directory.appendingPathComponent("journal.sqlite").path
        storePath = (settings.storeDirectory ?? directory).appendingPathComponent("reports.sqlite").path
        let dispatcherPort = try freeLoopbackPort()
        var collectorPort = try freeLoopbackPort()
        while collectorPort == dispatcherPort { collectorPort = try freeLoopbackPort() }
        dispatcherEndpoint = "tcp://127.0.0.1:\(dispatcherPort)"
        collectorEndpoint = "tcp://127.0.0.1:\(collectorPort)"
        print("fault: cluster in \(directory.path): dispatcher \(dispatcherEndpoint), collector \(collectorEndpoint)")
        do {
            try start(.dispatcher)
            try start(.collector)
            for index in workers.indices { try start(.worker(index)) }
        } catch {
            printLogs()
            shutdown()
            throw error
        }
    }

    deinit { shutdown() }

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
    func start(_ role: Role, readyTimeoutSeconds: Double = 60) throws -> FaultProcess {
        if let old = running[role], old.isRunning {
            throw FaultProcess.Failure(description: "\(role) is already running (pid \(old.pid))")
        }
        let incarnation = incarnations[role, default: 0]
        incarnations[role] = incarnation + 1
        let logPath = directory.appendingPathComponent("\(role).log").path
        appendToLog(logPath, "----- \(role) start #\(incarnation + 1) at \(Date()) -----\n")
        var environment: [String: String] = [:]
        if case .worker = role { environment = settings.workerEnvironment }
        let process = try FaultProcess(
            name: role.description, executable: TestPaths.mirsad,
            arguments: arguments(for: role) + ["--log-level", "debug"], environment: environment,
            stdoutPath: directory.appendingPathComponent("\(role).\(incarnation + 1).out").path, logPath: logPath)
        running[role] = process
        _ = try process.awaitReady(timeoutSeconds: readyTimeoutSeconds)
        return process
    }

    /// The running process of `role`.
    func process(_ role: Role) -> FaultProcess? { running[role] }

    /// `kill -9` on `role` and everything it started.
    func kill9(_ role: Role) {
        guard let process = running[role] else { return }
        appendToLog(process.logPath, "----- \(role) pid \(process.pid) killed with SIGKILL at \(Date()) -----\n")
        process.kill9()
    }

    /// `kill -9` on the analysis process of a supervised worker (its supervisor stays); the killed pid, or nil
    /// when the worker has no child process.
    func kill9AnalysisChild(ofWorker index: Int) -> pid_t? {
        guard let supervisor = running[.worker(index)], let child = supervisor.children().first else { return nil }
        appendToLog(supervisor.logPath, "----- worker-\(index) child pid \(child) killed with SIGKILL at \(Date()) -----\n")
        kill(child, SIGKILL)
        return child
    }

    /// SIGSTOP (`frozen` true) or SIGCONT to `role` and every process it started.
    func freeze(_ role: Role, _ frozen: Bool) {
        guard let process = running[role] else { return }
        appendToLog(process.logPath, "----- \(role) \(frozen ? "SIGSTOP" : "SIGCONT") at \(Date()) -----\n")
        process.signalAll(frozen ? SIGSTOP : SIGCONT)
    }

    /// Starts `mirsad submit INPUT --wait --json` in the background.
    func submit(_ input: URL, batch: String) throws -> FaultProcess {
        let process = try FaultProcess(
            name: "producer", executable: TestPaths.mirsad,
            arguments: ["submit", input.path, "--dispatcher", dispatcherEndpoint, "--batch", batch, "--wait", "--json",
                        "--log-level", "debug"],
            stdoutPath: directory.appendingPathComponent("producer.out").path,
            logPath: directory.appendingPathComponent("producer.log").path)
        others.append(process)
        return process
    }

    /// `mirsad status --json`, or nil when the dispatcher does not answer.
    func status() -> [String: Any]? {
        guard let result = try? runMirsad(["status", "--dispatcher", dispatcherEndpoint, "--json", "--timeout", "3"]),
              result.status == 0 else { return nil }
        return try? decodeJSON(result.stdout)
    }

    /// `mirsad dlq list --json`, or nil when the command fails.
    func deadLetters(batch: String? = nil) -> [String: Any]? {
        var arguments = ["dlq", "list", "--dispatcher", dispatcherEndpoint, "--json", "--limit", "1000"]
        if let batch { arguments += ["--batch", batch] }
        guard let result = try? runMirsad(arguments), result.status == 0 else { return nil }
        return try? decodeJSON(result.stdout)
    }

    /// `mirsad dlq retry --all --json`.
    func retryAllDeadLetters() throws -> CommandResult {
        try runMirsad(["dlq", "retry", "--dispatcher", dispatcherEndpoint, "--all", "--json"])
    }

    /// Ends every process: SIGCONT (a frozen one cannot stop), SIGTERM, SIGKILL after `graceSeconds`.
    /// Workers first, then the collector, then the dispatcher.
    func shutdown(graceSeconds: Double = 10) {
        for process in others { process.terminate(graceSeconds: 2) }
        others.removeAll()
        let order = running.keys.sorted { rank($0) < rank($1) }
        for role in order { running[role]?.terminate(graceSeconds: graceSeconds) }
        running.removeAll()
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
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(2)
        guard let database = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        return try? database.read { db -> StoreFigures? in
            guard try db.tableExists("results") else { return nil }
            let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results") ?? 0
            let distinct = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT job_id) FROM results") ?? 0
            let analysed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results WHERE status = 'analysed'") ?? 0
            var byWorker: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT worker_id, COUNT(*) AS n FROM results GROUP BY worker_id") {
                byWorker[row["worker_id"] ?? "?"] = row["n"] ?? 0
            }
            return StoreFigures(rows: rows, distinctJobs: distinct, analysed: analysed, rowsByWorker: byWorker)
        }
    }

    /// Job ids of the stored rows of `batch` (to name what is missing).
    static func storedJobIDs(_ path: String) -> Set<String> {
        var configuration = Configuration()
        configuration.readonly = true
        guard let database = try? DatabaseQueue(path: path, configuration: configuration),
              let ids = try? database.read({ try String.fetchAll($0, sql: "SELECT job_id FROM results") }) else { return [] }
        return Set(ids)
    }
}
