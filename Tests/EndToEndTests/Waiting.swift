/// Waits until `condition` holds, checking it every `interval`; false once `timeout` has passed without it (or when
/// the test is cancelled). The one place the end-to-end tests pause: everything else waits for a condition here.
func waitUntil(
    timeout: Duration, interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        guard ContinuousClock.now < deadline, (try? await Task.sleep(for: interval)) != nil else {
            return try await condition()
        }
    }
}
