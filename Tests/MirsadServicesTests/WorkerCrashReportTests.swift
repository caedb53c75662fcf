import Foundation
import MirsadCore
import MirsadWire
import Testing
@testable import MirsadServices

/// The crash handler (in a child process, as a crash ends the process), the reports it writes, and how they are
/// read back.
@Suite(.timeLimit(.minutes(5)))
struct WorkerCrashReportTests {
    private static func scratchPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-crash-\(UUID().uuidString)").path
    }

    private static func reports(at path: String) throws -> [CrashReport] {
        CrashReport.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test func fatalErrorOnAnAnalysisThreadNamesThatThreadsJob() async throws {
        let path = Self.scratchPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        await #expect(processExitsWith: .signal(SIGILL)) { [path = path as String] in
            try CrashReporter.install(reportingTo: open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600))
            // Another thread runs a job of its own: the report must name the crashing thread's only.
            let bystanderRuns = DispatchSemaphore(value: 0)
            let bystander = Thread {
                CrashReporter.whileRunning("bystander:1") {
                    bystanderRuns.signal()
                    DispatchSemaphore(value: 0).wait()
                }
            }
            bystander.start()
            bystanderRuns.wait()
            let poisoned = Thread { CrashReporter.whileRunning("poison:0") { () -> Void in fatalError("poison article") } }
            poisoned.start()
            DispatchSemaphore(value: 0).wait()
        }
        let reports = try Self.reports(at: path)
        #expect(reports == [CrashReport(signal: SIGILL, jobID: "poison:0")])
        #expect(reports.first?.jobFailure?.jobID == "poison:0")
        #expect(reports.first?.jobFailure?.error == "worker process crashed with SIGILL while analysing it")
        #expect(reports.first?.jobFailure?.permanent == false)
    }

    @Test func crashAfterTheJobEndedNamesNoJob() async throws {
        let path = Self.scratchPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        await #expect(processExitsWith: .signal(SIGSEGV)) { [path = path as String] in
            try CrashReporter.install(reportingTo: open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600))
            CrashReporter.whileRunning("finished:3") {}
            raise(SIGSEGV)
        }
        let reports = try Self.reports(at: path)
        #expect(reports == [CrashReport(signal: SIGSEGV, jobID: nil)])
        #expect(reports.first?.jobFailure == nil)
    }

    @Test func parseReadsWellFormedReportsAndSkipsTheRest() {
        let id = "batch:٣ with spaces\nand a newline"
        var bytes = Array("CRASH 4 7 b:1/x:2\n".utf8)
        bytes += Array("garbage line\n".utf8)
        bytes += Array("CRASH 11 \(id.utf8.count) \(id)\n".utf8)
        bytes += Array("CRASH 6 0 \n".utf8)
        bytes += Array("CRASH 5 99 too short\n".utf8)
        bytes += Array("CRASH x 1 a\n".utf8)
        bytes += Array("CRASH 7 3 ab".utf8)   // cut short by the process dying
        #expect(CrashReport.parse(bytes) == [
            CrashReport(signal: 4, jobID: "b:1/x:2"),
            CrashReport(signal: 11, jobID: id),
            CrashReport(signal: 6, jobID: nil),
        ])
        #expect(CrashReport.parse([]).isEmpty)
    }

    @Test func signalNames() {
        #expect(SignalName.of(SIGILL) == "SIGILL")
        #expect(SignalName.of(SIGTRAP) == "SIGTRAP")
        #expect(SignalName.of(SIGKILL) == "SIGKILL")
        #expect(SignalName.of(63) == "signal 63")
    }
}

/// Recursion that the optimiser cannot turn into a loop.
@inline(never)
func overflowTheStack(_ depth: Int) -> Int {
    var frame = [UInt8](repeating: UInt8(truncatingIfNeeded: depth), count: 64)
    return withUnsafeMutableBytes(of: &frame) { _ in overflowTheStack(depth + 1) } + Int(frame[depth % 64])
}

@Suite(.timeLimit(.minutes(5)))
struct WorkerStackOverflowCrashTests {
    @Test func stackOverflowInAnAnalysisIsReportedWithItsJob() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-crash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        await #expect(processExitsWith: .signal(SIGSEGV)) { [path = path as String] in
            try CrashReporter.install(reportingTo: open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600))
            let thread = Thread { CrashReporter.whileRunning("deep:1") { _ = overflowTheStack(0) } }
            thread.stackSize = 1 << 20
            thread.start()
            DispatchSemaphore(value: 0).wait()
        }
        let reports = CrashReport.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(reports == [CrashReport(signal: SIGSEGV, jobID: "deep:1")])
    }
}
