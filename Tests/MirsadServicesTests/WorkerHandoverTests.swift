import Foundation
import MirsadCore
import Testing
@testable import MirsadServices

/// What a worker supervisor tells the process it starts (environment variables).
struct WorkerHandoverTests {
    @Test func handoverRoundTripsThroughTheEnvironment() throws {
        let crashed = [CrashReport(signal: SIGILL, jobID: "b:\"1\"\n").jobFailure!, CrashReport(signal: SIGBUS, jobID: "خبر:2").jobFailure!]
        let handover = WorkerHandover(workerID: "w-2", replaces: "w-1", crashed: crashed, crashReportPath: "/tmp/x.crash", supervisorPID: 4242)
        #expect(try WorkerHandover.fromEnvironment(handover.environment.merging(["OTHER": "1"]) { a, _ in a }) == handover)
        let first = WorkerHandover(workerID: "w-1", replaces: "", crashed: [], crashReportPath: "/tmp/y", supervisorPID: 99)
        #expect(try WorkerHandover.fromEnvironment(first.environment) == first)
    }

    @Test func handoverErrorsNameTheVariable() {
        let good = WorkerHandover(workerID: "w", replaces: "", crashed: [], crashReportPath: "/tmp/z", supervisorPID: 99).environment
        for (variable, value) in [("MIRSAD_WORKER_CRASHED", "{not json"), ("MIRSAD_WORKER_SUPERVISOR_PID", "abc"), ("MIRSAD_WORKER_ID", "")] {
            var environment = good
            environment[variable] = value
            #expect { try WorkerHandover.fromEnvironment(environment) } throws: { "\($0)".contains(variable) }
        }
        var missing = good
        missing["MIRSAD_WORKER_CRASH_REPORT"] = nil
        #expect { try WorkerHandover.fromEnvironment(missing) } throws: { "\($0)".contains("MIRSAD_WORKER_CRASH_REPORT is not set") }
        #expect { try WorkerHandover.fromEnvironment([:]) } throws: { "\($0)".contains("is not set") }
    }

    /// In a child process, since attaching asks for the parent-death signal.
    @Test func attachingToAGoneSupervisorFails() async {
        await #expect(processExitsWith: .exitCode(3)) {
            // The exit test's parent is not pid 2 (a kernel thread), so that "supervisor" is gone.
            let handover = WorkerHandover(workerID: "w", replaces: "", crashed: [], crashReportPath: "/tmp/never", supervisorPID: 2)
            do {
                _ = try handover.attachToSupervisor()
            } catch {
                exit("\(error)".contains("pid 2") ? 3 : 4)
            }
            exit(5)
        }
    }
}
