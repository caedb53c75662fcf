import Foundation
import Testing
@testable import MirsadServices

/// The indexer's pace: pauses owed in proportion to its CPU, repaid by busy looks, forgiven by idle cores.
struct IndexingPaceTests {
    @Test func aBatchOwesItsCPUTimesTheRestOverTheShare() {
        var pace = IndexingPace(busyShare: 0.1)
        #expect(!pace.pausing)
        pace.indexed(cpu: .milliseconds(100))
        #expect(pace.owed == .milliseconds(900))
        pace.indexed(cpu: .milliseconds(50))
        #expect(pace.owed == .milliseconds(1_350))
        #expect(pace.pausing)
    }

    @Test func busyLooksRepayThePauseAndIdleCoresEndIt() {
        var pace = IndexingPace(busyShare: 0.5, idleCoresToResume: 0.5)
        pace.indexed(cpu: .milliseconds(600))
        pace.looked(for: .milliseconds(200), idleCores: 0.1)
        #expect(pace.owed == .milliseconds(400))
        pace.looked(for: .milliseconds(200), idleCores: nil)
        #expect(pace.owed == .milliseconds(200), "an unknown look counts as busy")
        pace.looked(for: .milliseconds(200), idleCores: 0.49)
        #expect(!pace.pausing)
        pace.looked(for: .milliseconds(200), idleCores: 0.2)
        #expect(pace.owed == .zero, "never negative: credit does not build up")

        pace.indexed(cpu: .milliseconds(600))
        pace.looked(for: .milliseconds(200), idleCores: 0.6)
        #expect(!pace.pausing, "idle cores end the pause at once")
    }

    @Test func itRemembersWhetherTheLastLookSawIdleCores() {
        var pace = IndexingPace(busyShare: 0.5, idleCoresToResume: 0.5)
        #expect(!pace.coresSeenIdle, "nothing seen before the first look")
        pace.indexed(cpu: .milliseconds(100))
        pace.looked(for: .milliseconds(50), idleCores: 1.2)
        #expect(pace.coresSeenIdle)
        pace.indexed(cpu: .milliseconds(100))
        #expect(pace.coresSeenIdle, "a batch sees nothing of the cores")
        pace.looked(for: .milliseconds(50), idleCores: nil)
        #expect(!pace.coresSeenIdle, "an unknown look counts as busy")
        pace.looked(for: .milliseconds(50), idleCores: 0.9)
        pace.indexed(cpu: .milliseconds(100))
        pace.looked(for: .milliseconds(50), idleCores: 0.1)
        #expect(!pace.coresSeenIdle)
    }

    @Test func thePauseOwedIsBounded() {
        var pace = IndexingPace(busyShare: 0.01, longestPause: .seconds(3))
        pace.indexed(cpu: .seconds(1))
        #expect(pace.owed == .seconds(3))
    }

    @Test func aWholeShareNeverPauses() {
        var pace = IndexingPace(busyShare: 1)
        pace.indexed(cpu: .seconds(5))
        #expect(!pace.pausing)
    }
}

/// Idle time of the allowed cores, from the kernel's own texts.
struct CPUIdleMeterTests {
    static let procStat = """
        cpu  900 10 300 5000 40 0 5 0 0 0
        cpu0 400 5 150 2000 20 0 3 0 0 0
        cpu1 500 5 150 3000 20 0 2 0 0 0
        intr 12345
        ctxt 999
        """

    @Test func idleTicksSumIdleAndIOWaitOfTheAllowedCores() {
        #expect(CPUIdleMeter.idleTicks(procStat: Self.procStat, cores: [0]) == 2_020)
        #expect(CPUIdleMeter.idleTicks(procStat: Self.procStat, cores: [0, 1]) == 5_040)
        #expect(CPUIdleMeter.idleTicks(procStat: Self.procStat, cores: [1, 2]) == nil, "core 2 has no line")
        #expect(CPUIdleMeter.idleTicks(procStat: "cpu0 1 2 3\n", cores: [0]) == nil, "a short line is malformed")
    }

    @Test func coreListsAsTheKernelWritesThem() {
        #expect(CPUIdleMeter.cores(list: "\t0-3,8,10-11") == [0, 1, 2, 3, 8, 10, 11])
        #expect(CPUIdleMeter.cores(list: "0") == [0])
        #expect(CPUIdleMeter.cores(list: "3-1") == nil)
        #expect(CPUIdleMeter.cores(list: "a") == nil)
        #expect(CPUIdleMeter.cores(list: "") == nil)
    }

    @Test func idleCoresBetweenTwoSamples() throws {
        let meter = CPUIdleMeter(cores: [0, 1], ticksPerSecond: 100)
        let start = ContinuousClock.now
        let earlier = CPUIdleMeter.Sample(idleTicks: 1_000, at: start)
        let later = CPUIdleMeter.Sample(idleTicks: 1_150, at: start.advanced(by: .seconds(1)))
        #expect(meter.idleCores(from: earlier, to: later) == 1.5)
        #expect(meter.idleCores(from: later, to: earlier) == nil)
    }

    #if os(Linux)
    @Test func readsThisMachine() throws {
        let meter = try #require(CPUIdleMeter())
        #expect(!meter.cores.isEmpty)
        let first = try #require(meter.sample())
        Thread.sleep(forTimeInterval: 0.05)
        let second = try #require(meter.sample())
        let idle = try #require(meter.idleCores(from: first, to: second))
        #expect(idle >= 0 && idle <= Double(meter.cores.count) + 0.5, "at most the allowed cores, give or take a tick")
    }
    #endif
}
