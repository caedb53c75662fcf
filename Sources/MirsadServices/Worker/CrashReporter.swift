import CWorkerCrash
import Foundation
import MirsadCore

/// The process-wide crash handler (C, async-signal-safe) and the per-thread job it names.
public enum CrashReporter {
    /// Installs the handler for the crash signals, writing reports to `descriptor` (kept open by the caller for
    /// the life of the process).
    public static func install(reportingTo descriptor: Int32) throws {
        guard mirsad_crash_install(descriptor) == 0 else {
            throw CrashReporterError(description: "cannot install the crash handler: \(String(cString: strerror(errno)))")
        }
    }

    /// Runs `body` with `jobID` named as the calling thread's current job, so that a crash inside it names it.
    static func whileRunning<T>(_ jobID: String, _ body: () -> T) -> T {
        var id = jobID
        id.withUTF8 { mirsad_crash_set_current_job($0.baseAddress, $0.count) }
        defer { mirsad_crash_clear_current_job() }
        return body()
    }
}

public struct CrashReporterError: Error, CustomStringConvertible {
    public let description: String
}
