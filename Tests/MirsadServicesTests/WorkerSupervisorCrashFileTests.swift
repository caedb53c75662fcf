import Foundation
import Testing
@testable import MirsadServices

/// Crash report files of supervisors that were killed (and so could not remove them) are removed by the next
/// supervisor that starts in the same directory; those of a live supervisor are left alone.
@Suite struct WorkerSupervisorCrashFileTests {
    @Test func filesOfSupervisorsThatNoLongerExistAreRemovedAndOthersKept() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // No process has this pid (above any pid_max Linux allows).
        let gone = "mirsad-worker-2147483646-3.crash"
        let alive = "mirsad-worker-\(getpid())-1.crash"
        let other = "mirsad-worker-notes.crash"
        for name in [gone, alive, other] {
            #expect(FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data()))
        }
        #expect(WorkerSupervisor.removeStaleCrashReports(in: directory.path) == 1)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        #expect(left == [alive, other])
    }
}
