import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The fault tests' process handling itself: a kill must reach a process's whole family, a port must be reusable,
/// the seeded generator must replay.
struct FaultHarnessTests {
    private func scratch() throws -> URL { try TestPaths.temporaryDirectory() }

    @Test func killNineEndsTheProcessAndEverythingItStarted() throws {
        let directory = try scratch()
        // A shell that starts two grandchildren, one of which leaves the process group.
        let process = try FaultProcess(
            name: "family", executable: "/bin/sh",
            arguments: ["-c", "sleep 300 & setsid sleep 301 & echo READY family; wait"],
            stdoutPath: directory.appendingPathComponent("family.out").path,
            logPath: directory.appendingPathComponent("family.log").path)
        #expect(try process.awaitReady(timeoutSeconds: 10) == "family")
        #expect(waitFor(timeoutSeconds: 5) { process.descendants().count >= 2 }, "the shell's two sleeps are seen as descendants")
        let family = process.descendants()
        process.kill9()
        #expect(!process.isRunning)
        #expect(process.describeExit() == "signal \(SIGKILL)")
        #expect(waitFor(timeoutSeconds: 5) { family.allSatisfy { !ProcessTable.isAlive($0) } },
                "descendants still alive after kill9: \(family.filter(ProcessTable.isAlive))")
    }

    @Test func aProcessThatExitsBeforeReadyIsReportedWithItsLog() throws {
        let directory = try scratch()
        let process = try FaultProcess(
            name: "quitter", executable: "/bin/sh", arguments: ["-c", "echo broken >&2; exit 7"],
            stdoutPath: directory.appendingPathComponent("quitter.out").path,
            logPath: directory.appendingPathComponent("quitter.log").path)
        #expect {
            _ = try process.awaitReady(timeoutSeconds: 10)
        } throws: { error in
            "\(error)".contains("exit status 7") && "\(error)".contains("quitter.log")
        }
        #expect(process.exitCode == 7)
        #expect(try String(contentsOfFile: process.logPath, encoding: .utf8).contains("broken"))
    }

    @Test func freezingStopsAProcessAndThawingResumesIt() throws {
        let directory = try scratch()
        let process = try FaultProcess(
            name: "ticker", executable: "/bin/sh",
            arguments: ["-c", "echo READY t; while true; do date +%s%N >> '\(directory.path)/ticks'; sleep 0.05; done"],
            stdoutPath: directory.appendingPathComponent("ticker.out").path,
            logPath: directory.appendingPathComponent("ticker.log").path)
        defer { process.kill9() }
        _ = try process.awaitReady(timeoutSeconds: 10)
        let ticks = { (try? String(contentsOfFile: "\(directory.path)/ticks", encoding: .utf8))?.split(separator: "\n").count ?? 0 }
        #expect(waitFor(timeoutSeconds: 5) { ticks() > 2 })
        process.signalAll(SIGSTOP)
        Thread.sleep(forTimeInterval: 0.3)
        let frozen = ticks()
        Thread.sleep(forTimeInterval: 0.5)
        #expect(ticks() == frozen, "a stopped process kept writing")
        process.signalAll(SIGCONT)
        #expect(waitFor(timeoutSeconds: 5) { ticks() > frozen }, "a continued process did not resume")
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

    @Test func theCorpusWriterMarksExactlyTheChosenArticles() throws {
        guard let shared = FaultCorpus.shared() else { return }
        let directory = try scratch()
        let corpus = try FaultCorpus.write(count: 20, from: shared, to: directory, marker: "MARK-XYZ", markedIndexes: [3, 11])
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
