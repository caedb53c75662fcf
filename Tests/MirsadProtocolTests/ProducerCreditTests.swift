import MirsadCore
import Testing

/// `ProducerCredit`, the producer's flow control, as a pure state machine.
struct ProducerCreditTests {
    @Test func oneChunkMayGoBeforeTheFirstAcknowledgement() {
        var credit = ProducerCredit(window: 8)
        #expect(credit.allowance(wanted: 256, now: .at(0)) == 256)
        credit.sent(jobs: 256)
        #expect(credit.allowance(wanted: 256, now: .at(0)) == 0)
        #expect(credit.block(now: .at(0)) == .firstAck)
        credit.acknowledged(credit: 100)
        credit.settled(jobs: 256)
        #expect(credit.grant == .granted(100))
        #expect(credit.allowance(wanted: 256, now: .at(0)) == 100, "a chunk is cut to the credit")
    }

    @Test func jobsSentAndUnacknowledgedStayWithinTheLatestCredit() {
        var credit = ProducerCredit(window: 8)
        credit.sent(jobs: 10)
        credit.acknowledged(credit: 25)
        credit.settled(jobs: 10)
        credit.sent(jobs: credit.allowance(wanted: 10, now: .at(0)))   // 10 of 25
        credit.sent(jobs: credit.allowance(wanted: 10, now: .at(0)))   // 10 of 25
        #expect(credit.allowance(wanted: 10, now: .at(0)) == 5)
        credit.sent(jobs: 5)
        #expect(credit.unacknowledgedJobs == 25)
        #expect(credit.allowance(wanted: 10, now: .at(0)) == 0)
        #expect(credit.block(now: .at(0)) == .credit)
        // The first of those chunks is acknowledged; the dispatcher counted it and grants 12 beyond it.
        credit.acknowledged(credit: 12)
        credit.settled(jobs: 10)
        #expect(credit.unacknowledgedJobs == 15)
        #expect(credit.allowance(wanted: 10, now: .at(0)) == 0, "15 still unacknowledged exceed the 12 granted")
        credit.acknowledged(credit: 30)
        credit.settled(jobs: 10)
        #expect(credit.allowance(wanted: 100, now: .at(0)) == 25)
    }

    @Test func creditZeroBlocksAndQueriesAtMostEveryInterval() {
        var credit = ProducerCredit(window: 8, queryInterval: .nanoseconds(500), busyPause: .nanoseconds(500))
        credit.sent(jobs: 4)
        credit.acknowledged(credit: 4)
        credit.settled(jobs: 4)
        credit.acknowledged(credit: 0)
        #expect(credit.grant == .granted(0))
        #expect(credit.allowance(wanted: 4, now: .at(0)) == 0)
        let asked = [1_000, 1_200, 1_499, 1_500].map { credit.shouldQuery(now: .at($0)) }
        #expect(asked == [true, false, false, true])
        credit.acknowledged(credit: 3)
        #expect(credit.allowance(wanted: 4, now: .at(0)) == 3)
        let askedWithCredit = credit.shouldQuery(now: .at(10_000))
        #expect(!askedWithCredit, "no query while credit is left")
    }

    @Test func aDispatcherThatNeverGrantsCreditIsLimitedByTheWindowOnly() {
        var credit = ProducerCredit(window: 3)
        credit.sent(jobs: 50)
        credit.acknowledged(credit: 0)
        credit.settled(jobs: 50)
        #expect(credit.grant == .notGranted)
        for _ in 0..<3 {
            #expect(credit.allowance(wanted: 50, now: .at(0)) == 50)
            credit.sent(jobs: 50)
        }
        #expect(credit.allowance(wanted: 50, now: .at(0)) == 0)
        #expect(credit.block(now: .at(0)) == .window)
        let asked = credit.shouldQuery(now: .at(1_000_000_000))
        #expect(!asked, "no credit queries to a dispatcher that grants none")
        credit.acknowledged(credit: 0)
        credit.settled(jobs: 50)
        #expect(credit.allowance(wanted: 50, now: .at(0)) == 50)
    }

    @Test func onceCreditWasGrantedAZeroIsBinding() {
        var credit = ProducerCredit(window: 8)
        credit.sent(jobs: 1)
        credit.acknowledged(credit: 0)
        credit.settled(jobs: 1)
        #expect(credit.grant == .notGranted)
        credit.acknowledged(credit: 7)
        #expect(credit.grant == .granted(7))
        credit.acknowledged(credit: 0)
        #expect(credit.grant == .granted(0))
        #expect(credit.allowance(wanted: 1, now: .at(0)) == 0)
    }

    @Test func theWindowLimitsEvenWithAmpleCredit() {
        var credit = ProducerCredit(window: 2)
        credit.sent(jobs: 1)
        credit.acknowledged(credit: 1_000)
        credit.settled(jobs: 1)
        credit.sent(jobs: 1)
        credit.sent(jobs: 1)
        #expect(credit.block(now: .at(0)) == .window)
        #expect(credit.allowance(wanted: 1, now: .at(0)) == 0)
        let asked = credit.shouldQuery(now: .at(1_000_000_000))
        #expect(!asked, "waiting on the window is not a reason to ask for credit")
    }

    @Test func aBusyChunkComesBackPausesSendingAndAsksForCreditAtOnce() {
        var credit = ProducerCredit(window: 8, queryInterval: .nanoseconds(500), busyPause: .nanoseconds(300))
        credit.sent(jobs: 256)
        credit.refusedBusy(jobs: 256, now: .at(1_000))
        #expect(credit.unacknowledgedJobs == 0 && credit.unacknowledgedChunks == 0, "a refused chunk is not outstanding")
        #expect(credit.block(now: .at(1_000)) == .busy)
        #expect(credit.allowance(wanted: 256, now: .at(1_299)) == 0)
        let asked = [1_000, 1_100].map { credit.shouldQuery(now: .at($0)) }
        #expect(asked == [true, false], "one credit query at once, then at the query interval")
        // The query's answer: the dispatcher has room for 40; after the pause a chunk is cut to that.
        credit.acknowledged(credit: 40)
        #expect(credit.allowance(wanted: 256, now: .at(1_299)) == 0)
        #expect(credit.allowance(wanted: 256, now: .at(1_300)) == 40)
    }
}
