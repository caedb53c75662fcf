import CWorkerCrash
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

    /// The kernel keeps the parent-death signal per thread and forgets it when that thread exits, so attaching on a
    /// pool thread that later retires must still leave the child bound to its supervisor. Three processes (forked
    /// in an exit test): the test, a stand-in supervisor, and its child, which attaches on a thread that then exits
    /// and reports its pid; the supervisor then exits, and the child must follow.
    @Test func theChildDiesWithItsSupervisorAfterTheAttachingThreadExits() async {
        await #expect(processExitsWith: .exitCode(3)) {
            var pipeEnds: [Int32] = [0, 0]
            guard pipe(&pipeEnds) == 0 else { exit(10) }
            let supervisor = fork()
            if supervisor == 0 {
                let child = fork()
                if child == 0 {
                    var thread = pthread_t()
                    guard pthread_create(&thread, nil, { _ in
                        _ = mirsad_die_with_parent(getppid())
                        return nil
                    }, nil) == 0 else { _exit(11) }
                    pthread_join(thread, nil)
                    var pid = getpid()
                    _ = write(pipeEnds[1], &pid, MemoryLayout<pid_t>.size)
                    sleep(30)
                    _exit(12)
                }
                var pid: pid_t = 0
                _ = read(pipeEnds[0], &pid, MemoryLayout<pid_t>.size)
                _ = write(pipeEnds[1], &pid, MemoryLayout<pid_t>.size)
                _exit(0)
            }
            var status: Int32 = 0
            waitpid(supervisor, &status, 0)
            var child: pid_t = 0
            guard read(pipeEnds[0], &child, MemoryLayout<pid_t>.size) == MemoryLayout<pid_t>.size, child > 0 else { exit(13) }
            for _ in 0..<200 {
                let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)
                if stat.map({ $0.split(separator: ")").last?.split(separator: " ").first == "Z" }) ?? true { exit(3) }
                usleep(50_000)
            }
            kill(child, SIGKILL)
            exit(4)
        }
    }
}
