import Foundation
import Testing
import TestSupport

/// `.offTheCooperativePool` runs a test's body, a synchronous one included, on a thread of its own.
@Suite(.offTheCooperativePool) struct OffTheCooperativePoolTests {
    @Test func aSynchronousTestRunsOnAThreadOfItsOwn() {
        #expect(currentThreadName() == "test.off-pool")
    }

    @Test(arguments: [1, 2])
    func eachCaseOfAParameterisedTestToo(case: Int) async {
        await Task.yield()
        #expect(currentThreadName() == "test.off-pool", "case \(`case`)")
    }
}

/// Without the trait, a test runs in the cooperative pool.
@Suite struct OnTheCooperativePoolTests {
    @Test func anUnmarkedTestRunsInThePool() {
        #expect(currentThreadName() != "test.off-pool")
    }
}

/// `offTheCooperativePool { }` does the same for one closure.
@Suite struct OffTheCooperativePoolHelperTests {
    @Test func theHelperRunsItsBodyOnAThreadOfItsOwn() async throws {
        let name = try await offTheCooperativePool { currentThreadName() }
        #expect(name == "test.off-pool")
    }
}

/// The kernel's name of the thread the caller runs on (Foundation's `Thread.current.name` does not see it on Linux).
func currentThreadName() -> String? {
    (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines)
}
