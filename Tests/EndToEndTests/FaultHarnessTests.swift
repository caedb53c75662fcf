import Foundation
import MirsadServices
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The fault tests' process handling itself: a kill must reach a process's whole family, a port must be reusable,
/// the seeded generator must replay.
struct FaultHarnessTests {
    private func scratch() throws -> URL { try TestPaths.temporaryDirectory() }

    /// A shell script as the fault cluster starts its processes: in a process group of its own, standard error
    /// appended to `name.log` in `directory`.
    private func shell(_ name: String, _ script: String, in directory: URL) async throws -> ManagedProcess {
        var launch = ManagedProcess.Configuration(executable: "/bin/sh", arguments: ["-c", script])
        launch.errorLogPath = directory.appendingPathComponent("\(name).log").path
        launch.ownProcessGroup = true
        return try await ManagedProcess.start(name, launch)
    }

    @Test func killNineEndsTheProcessAndEverythingItStarted() async throws {
        let directory = try scratch()
        // A shell that starts two grandchildren, one of which leaves the process group.
        let process = try await shell("family", "sleep 300 & setsid sleep 301 & echo READY family; wait", in: directory)
        #expect(try await process.awaitLine(prefix: "READY", timeout: .seconds(10)) == "family")
        #expect(await waitUntil(timeout: .seconds(5)) { process.descendants().count >= 2 }, "the shell's two sleeps are seen as descendants")
        let family = process.descendants()
        await process.kill9()
        #expect(!process.isRunning)
        #expect(process.ending == .signalled(SIGKILL))
        #expect(await waitUntil(timeout: .seconds(5)) { family.allSatisfy { !ProcessTable.isAlive($0) } },
                "descendants still alive after kill9: \(family.filter(ProcessTable.isAlive))")
    }

    @Test func aProcessThatExitsBeforeReadyIsReportedWithItsLog() async throws {
        let directory = try scratch()
        let process = try await shell("quitter", "echo broken >&2; exit 7", in: directory)
        await #expect {
            _ = try await process.awaitLine(prefix: "READY", timeout: .seconds(10))
        } throws: { error in
            "\(error)".contains("exited with status 7") && "\(error)".contains("quitter.log")
        }
        #expect(process.exitCode == 7)
        #expect(try String(contentsOfFile: process.configuration.errorLogPath ?? "", encoding: .utf8).contains("broken"))
    }

    @Test func freezingStopsAProcessAndThawingResumesIt() async throws {
        let directory = try scratch()
        let process = try await shell(
            "ticker", "echo READY t; while true; do date +%s%N >> '\(directory.path)/ticks'; sleep 0.05; done", in: directory)
        _ = try await process.awaitLine(prefix: "READY", timeout: .seconds(10))
        let ticks = { (try? String(contentsOfFile: "\(directory.path)/ticks", encoding: .utf8))?.split(separator: "\n").count ?? 0 }
        #expect(await waitUntil(timeout: .seconds(5)) { ticks() > 2 })
        process.signalFamily(SIGSTOP)
        #expect(await waitUntil(timeout: .seconds(5)) { ProcessTable.isFrozen(process.processIdentifier) }, "SIGSTOP did not stop it")
        let frozen = ticks()
        // A tick takes 50 ms: ten of them without one is a process that no longer runs.
        let tickedWhileFrozen = await waitUntil(timeout: .milliseconds(500)) { ticks() > frozen }
        #expect(!tickedWhileFrozen, "a stopped process kept writing")
        process.signalFamily(SIGCONT)
        #expect(await waitUntil(timeout: .seconds(5)) { ticks() > frozen }, "a continued process did not resume")
        await process.kill9()
    }

    @Test func aFreePortCanBeBoundAgainAfterItIsPicked() throws {
        let port = try freeLoopbackPort()
        #expect((1024...65535).contains(port))
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0, "port \(port) could not be bound again")
    }

    @Test func theSeededGeneratorReplaysItsSequence() {
        var first = FaultRandom(seed: 42), second = FaultRandom(seed: 42), other = FaultRandom(seed: 43)
        let a = (0..<8).map { _ in first.next() }
        #expect(a == (0..<8).map { _ in second.next() })
        #expect(a != (0..<8).map { _ in other.next() })
    }

    @Test(.enabled(if: SharedData.isExpected, SharedData.reason))
    func theCorpusWriterMarksExactlyTheChosenArticles() async throws {
        let shared = try #require(TestPaths.shared, "the corpus writer reads the ANT corpus")
        let directory = try scratch()
        let corpus = try await FaultCorpus.write(count: 20, from: shared, to: directory, marker: "MARK-XYZ", markedIndexes: [3, 11])
        let lines = try String(contentsOf: corpus.url, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 20)
        #expect(Set(corpus.articleIDs).count == 20)
        let marked = lines.indices.filter { lines[$0].contains("MARK-XYZ") }
        #expect(marked == [3, 11])
        let article = try decodeJSON(String(lines[3]))
        #expect(article["id"] as? String == corpus.articleIDs[3])
        #expect((article["text"] as? String)?.hasSuffix("\nMARK-XYZ") == true)
    }
}
