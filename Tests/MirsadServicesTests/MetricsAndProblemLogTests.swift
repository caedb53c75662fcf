import Foundation
import MirsadCore
import Testing
@testable import MirsadServices

@Suite struct LatencyRecorderTests {
    @Test func emptyRecorderReportsZero() {
        let recorder = LatencyRecorder()
        #expect(recorder.count == 0)
        #expect(recorder.milliseconds(atPercentile: 50) == 0)
        #expect(recorder.milliseconds(atPercentile: 99) == 0)
    }

    @Test func percentilesOfOneToAThousandMilliseconds() {
        var recorder = LatencyRecorder()
        // Shuffled, so the result cannot depend on the order of recording.
        for ms in (1...1000).shuffled() { recorder.record(nanoseconds: UInt64(ms) * 1_000_000) }
        #expect(recorder.count == 1000)
        // Three significant digits: within 0.1 % of the exact order statistic.
        for (percentile, exact) in [(50.0, 500.0), (90.0, 900.0), (99.0, 990.0), (100.0, 1000.0)] {
            let value = recorder.milliseconds(atPercentile: percentile)
            #expect(abs(value - exact) <= exact * 0.001, "p\(percentile) was \(value), expected about \(exact)")
        }
        #expect(recorder.milliseconds(atPercentile: 50) <= recorder.milliseconds(atPercentile: 99))
    }

    @Test func skewedDistributionHasItsTailAtTheTop() {
        var recorder = LatencyRecorder()
        for _ in 0..<990 { recorder.record(nanoseconds: 2_000_000) }      // 2 ms
        for _ in 0..<10 { recorder.record(nanoseconds: 750_000_000) }    // 750 ms
        #expect(abs(recorder.milliseconds(atPercentile: 50) - 2) <= 0.01)
        #expect(abs(recorder.milliseconds(atPercentile: 99) - 2) <= 0.01)
        #expect(abs(recorder.milliseconds(atPercentile: 99.5) - 750) <= 0.75)
    }

    @Test func valuesOutsideTheRangeAreClampedNotLost() {
        var recorder = LatencyRecorder()
        recorder.record(nanoseconds: 0)
        recorder.record(nanoseconds: 10 * 3_600 * 1_000_000_000)   // ten hours
        #expect(recorder.count == 2)
        #expect(recorder.milliseconds(atPercentile: 0) == 0.001)
        let top = recorder.milliseconds(atPercentile: 100)
        #expect(abs(top - 3_600_000) <= 3_600, "top was \(top) ms")
    }
}

@Suite struct ProblemLogTests {
    @Test func countsMalformedAndRefusedSeparately() {
        var log = ProblemLog()
        log.malformed(.wrongFrameCount(5), peer: Array("w1".utf8), logger: quietLogger)
        log.malformed(.unknownCommand(200), peer: nil, logger: quietLogger)
        log.refused("SUBMIT is not sent to workers", peer: nil, logger: quietLogger)
        #expect(log.malformed == 2)
        #expect(log.refused == 1)
    }

    @Test func logsAtMostABurstPerKindPerSecondAndCountsTheRest() {
        let lines = Locked<[String]>([])
        let logger = capturingLogger(lines)
        let clock = ManualClock()
        var log = ProblemLog(clock: clock.serviceClock, burst: 2)
        log.malformed(.wrongFrameCount(2), peer: Array("worker-7".utf8), logger: logger)
        for _ in 0..<4 { log.refused("DONE is not sent to a collector", peer: nil, logger: logger) }
        #expect(lines.current.count == 3, "one malformed line and two refused ones: \(lines.current)")
        #expect(lines.current.first?.hasPrefix("warning: malformed message from worker-7:") == true, "\(lines.current)")
        clock.advance(by: .milliseconds(999))
        log.refused("DONE is not sent to a collector", peer: nil, logger: logger)
        #expect(lines.current.count == 3, "a third refused line within the second")
        clock.advance(by: .milliseconds(1))
        log.refused("HELLO again", peer: nil, logger: logger)
        #expect(lines.current.count == 4)
        #expect(lines.current.last == "warning: refused message from unknown peer: HELLO again (3 similar lines suppressed)")
        #expect(log.malformed == 1 && log.refused == 6)
        #expect(log.counts.wire == ["malformed": 1, "refused": 6])
    }

    @Test func describeShowsTextIdsAsTextAndOthersAsHex() {
        #expect(ProblemLog.describe(nil) == "unknown peer")
        #expect(ProblemLog.describe(Array("host-12-345".utf8)) == "host-12-345")
        // Not UTF-8, or a line break that would forge a log line: hex instead.
        #expect(ProblemLog.describe([0xab, 0xcd, 0xef]) == "abcdef")
        let forged = ProblemLog.describe(Array("evil\nWARNING fake".utf8))
        #expect(!forged.isEmpty && forged.allSatisfy { $0.isHexDigit }, "\(forged)")
    }

    /// Binary ids are written as zero-padded hex, so different ids never read the same in the log.
    @Test func differentBinaryIdsAreDescribedDifferently() {
        #expect(ProblemLog.describe([0x01, 0x23, 0xff]) != ProblemLog.describe([0x12, 0x03, 0xff]))
    }
}
