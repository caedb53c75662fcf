import MirsadServices
import MirsadWire
import Testing
@testable import mirsad

@Suite struct ProgressReporterTests {
    private let second = Duration.seconds(1)

    @Test func barShowsTheFractionCountsRateAndETA() {
        let line = ProgressReporter.render(label: "submit", done: 25, total: 100, elapsed: second * 5, barWidth: 20)
        // 25 of 100 fills a quarter of 20 cells; 5 articles/s leaves 75 articles for 15 s.
        #expect(line == "submit [#####---------------] 25/100 5.0 articles/s ETA 15s")
    }

    @Test func finishedBarIsFullAndHasNoETA() {
        let line = ProgressReporter.render(label: "x", done: 300, total: 300, elapsed: second * 2, barWidth: 10)
        #expect(line == "x [##########] 300/300 150 articles/s")
    }

    @Test func moreDoneThanTotalKeepsTheBarWithinItsWidth() {
        let line = ProgressReporter.render(label: "x", done: 12, total: 10, elapsed: second * 4, barWidth: 8)
        #expect(line == "x [########] 12/10 3.0 articles/s")
    }

    @Test func noElapsedTimeMeansNoRateAndNoETA() {
        let line = ProgressReporter.render(label: "x", done: 0, total: 50, elapsed: .zero, barWidth: 4)
        #expect(line == "x [----] 0/50")
    }

    @Test func aRateOverLessThanHalfASecondIsNotShown() {
        // 90 results arriving together a millisecond after the count started are not 90,000 a second.
        let early = ProgressReporter.render(label: "stored", done: 90, total: 2_000, elapsed: .milliseconds(1), barWidth: 0)
        #expect(early == "stored [] 90/2000")
        let unbounded = ProgressReporter.render(label: "read", done: 90, total: nil, elapsed: .milliseconds(499), barWidth: 0)
        #expect(unbounded == "read 90")
        let later = ProgressReporter.render(label: "stored", done: 90, total: 2_000, elapsed: .milliseconds(500), barWidth: 0)
        #expect(later == "stored [] 90/2000 180 articles/s ETA 11s")
    }

    @Test func theFirstLineWaitsUntilItCanShowARate() {
        var reporter = ProgressReporter(style: .lines, now: .origin)
        #expect(reporter.update(label: "submitted", done: 1, total: nil, now: .origin.advanced(by: .milliseconds(2))) == nil)
        #expect(reporter.update(label: "submitted", done: 400, total: nil, now: .origin.advanced(by: .milliseconds(499))) == nil)
        let first = reporter.update(label: "submitted", done: 500, total: nil, now: .origin.advanced(by: .milliseconds(500)))
        #expect(first == "submitted 500 1000 articles/s")
        // A stage's last report is drawn however early it comes.
        var quick = ProgressReporter(style: .lines, now: .origin)
        let last = quick.update(label: "stored", done: 3, total: 3, now: .origin.advanced(by: .milliseconds(10)), force: true)
        #expect(last == "stored [##############################] 3/3")
    }

    @Test func everyStageOfADisplayCountsItsRateFromTheDisplaysStart() {
        let display = ProgressDisplay(style: .lines, now: .origin)
        // The first results are stored 4 s after submitting began: 100 in 4 s, not 100 in the instant since the
        // stage's first report.
        let line = display.show(
            ProducerProgress(stage: .stored, done: 100, total: 1_000, isFinal: false), now: .origin.advanced(by: second * 4))
        #expect(line?.hasSuffix("100/1000 25.0 articles/s ETA 36s") == true, "\(line ?? "nothing drawn")")
    }

    @Test func indexingAfterStoringCountsItsRateFromItsOwnFirstReport() {
        let display = ProgressDisplay(style: .lines, now: .origin)
        // Storing took 6 s; the 5,000 results left to index then go at 500 a second, which the ETA must say (from
        // the display's start the rate would read 227 a second).
        display.show(ProducerProgress(stage: .indexed, done: 0, total: 5_000, isFinal: false), now: .origin.advanced(by: second * 6))
        let line = display.show(
            ProducerProgress(stage: .indexed, done: 2_500, total: 5_000, isFinal: false), now: .origin.advanced(by: second * 11))
        #expect(line?.hasPrefix("indexed ") == true, "\(line ?? "nothing drawn")")
        #expect(line?.hasSuffix("2500/5000 500 articles/s ETA 5s") == true, "\(line ?? "nothing drawn")")
    }

    @Test func longETAIsInMinutesOrHours() {
        let minutes = ProgressReporter.render(label: "x", done: 1, total: 91, elapsed: second, barWidth: 0)
        #expect(minutes.hasSuffix("ETA 1m30s"), "\(minutes)")
        let hours = ProgressReporter.render(label: "x", done: 1, total: 7_322, elapsed: second, barWidth: 0)
        #expect(hours.hasSuffix("ETA 2h2m"), "\(hours)")
    }

    @Test func withoutTotalOnlyTheCountAndRate() {
        let line = ProgressReporter.render(label: "read", done: 42, total: nil, elapsed: second * 5, barWidth: 30)
        #expect(line == "read 42 8.4 articles/s")
        // A total of 0 says nothing about progress either.
        let zero = ProgressReporter.render(label: "read", done: 42, total: 0, elapsed: second * 5, barWidth: 30)
        #expect(zero == line)
    }

    @Test func ratesFromAHundredUpAreWholeNumbers() {
        #expect(ProgressReporter.formatRate(99.94) == "99.9 articles/s")
        #expect(ProgressReporter.formatRate(100) == "100 articles/s")
        #expect(ProgressReporter.formatRate(1234.6) == "1235 articles/s")
    }

    @Test(arguments: [
        (0.0, "0s"), (0.1, "1s"), (59.0, "59s"), (59.2, "1m0s"), (61.0, "1m1s"),
        (3599.0, "59m59s"), (3600.0, "1h0m"), (3725.0, "1h2m"), (90_000.0, "25h0m"),
    ])
    func durationsRoundUpToWholeSeconds(seconds: Double, expected: String) {
        #expect(ProgressReporter.formatDuration(seconds) == expected)
    }

    @Test func silentReporterAndExplicitStyleAreKept() {
        var silent = ProgressReporter(style: .silent, now: .origin)
        #expect(silent.style == .silent)
        silent.update(label: "x", done: 1, total: 2, now: .origin.advanced(by: second * 10), force: true)   // draws nothing, must not trap
        #expect(ProgressReporter(style: .lines, now: .origin).style == .lines)
    }
}
