import CWorkerCrash
import Foundation
import MirsadWire

/// What the worker supervisor hands each worker process it starts, in environment variables: the id to use, what
/// to report of the previous process in HELLO (`replaces`, `crashed`), where its crash handler writes, and the
/// supervisor's pid (the child dies with it).
public struct WorkerHandover: Sendable, Equatable {
    public var workerID: String
    public var replaces: String
    public var crashed: [Mirsad_V1_JobFailure]
    /// The file the child's crash handler appends crash reports to; the supervisor reads it when the child dies.
    public var crashReportPath: String
    public var supervisorPID: Int32

    public init(workerID: String, replaces: String, crashed: [Mirsad_V1_JobFailure], crashReportPath: String, supervisorPID: Int32) {
        self.workerID = workerID
        self.replaces = replaces
        self.crashed = crashed
        self.crashReportPath = crashReportPath
        self.supervisorPID = supervisorPID
    }

    static let workerIDVariable = "MIRSAD_WORKER_ID"
    static let replacesVariable = "MIRSAD_WORKER_REPLACES"
    static let crashedVariable = "MIRSAD_WORKER_CRASHED"
    static let crashReportVariable = "MIRSAD_WORKER_CRASH_REPORT"
    static let supervisorVariable = "MIRSAD_WORKER_SUPERVISOR_PID"

    /// A crashed job as JSON in `MIRSAD_WORKER_CRASHED`.
    private struct CrashedJob: Codable {
        var job_id: String
        var error: String
    }

    public struct HandoverError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The variables to add to the child's environment.
    public var environment: [String: String] {
        let crashedJobs = crashed.map { CrashedJob(job_id: $0.jobID, error: $0.error) }
        let json = (try? JSONEncoder().encode(crashedJobs)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return [
            Self.workerIDVariable: workerID,
            Self.replacesVariable: replaces,
            Self.crashedVariable: json,
            Self.crashReportVariable: crashReportPath,
            Self.supervisorVariable: String(supervisorPID),
        ]
    }

    /// Reads what the supervisor handed over; fails naming the variable that is missing or malformed.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> WorkerHandover {
        func value(_ name: String) throws -> String {
            guard let value = environment[name] else {
                throw HandoverError(description: "\(name) is not set: a supervised worker is started by `mirsad worker`, not by hand")
            }
            return value
        }
        let workerID = try value(workerIDVariable)
        guard !workerID.isEmpty else { throw HandoverError(description: "\(workerIDVariable) is empty") }
        guard let supervisor = Int32(try value(supervisorVariable)), supervisor > 1 else {
            throw HandoverError(description: "\(supervisorVariable) is not a process id: \(environment[supervisorVariable] ?? "")")
        }
        let crashedJobs: [CrashedJob]
        do {
            crashedJobs = try JSONDecoder().decode([CrashedJob].self, from: Data(try value(crashedVariable).utf8))
        } catch let error as HandoverError {
            throw error
        } catch {
            throw HandoverError(description: "\(crashedVariable) is not a JSON array of {job_id, error}: \(error)")
        }
        return WorkerHandover(
            workerID: workerID, replaces: try value(replacesVariable),
            crashed: crashedJobs.map { job in
                var failure = Mirsad_V1_JobFailure()
                failure.jobID = job.job_id
                failure.error = job.error
                return failure
            },
            crashReportPath: try value(crashReportVariable), supervisorPID: supervisor)
    }

    /// In the child: dies with the supervisor from now on (SIGKILL when it goes), and opens the crash report file
    /// for the crash handler. Fails when the supervisor is already gone or the file cannot be opened.
    public func attachToSupervisor() throws -> Int32 {
        guard mirsad_die_with_parent(supervisorPID) == 0 else {
            throw HandoverError(description: "the supervisor (pid \(supervisorPID)) is gone")
        }
        let descriptor = open(crashReportPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw HandoverError(description: "cannot open the crash report file \(crashReportPath): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }
}
