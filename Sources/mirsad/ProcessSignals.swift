#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import MirsadServices
import ServiceLifecycle

/// The process-wide part of signal handling, done once at start: the rest is each command's `ServiceGroup`.
enum ProcessSignals {
    /// Unblocks SIGTERM and SIGINT, which a parent may have started this process with blocked (test runners do),
    /// leaving a `ServiceGroup`'s signal handling silent; and ignores SIGPIPE, so a closed pipe is an error
    /// where it happens instead of the end of the process.
    static func prepare() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Runs `services` in one group that owns SIGTERM and SIGINT: either signal shuts every service down
    /// gracefully, in reverse order; when one of them returns by itself (a worker whose analysis hung), the
    /// others are shut down gracefully too.
    static func runGroup(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Runs `work` as a `BlockingService` in a group of its own (as `runGroup` does) and returns what it returned,
    /// or throws what it threw.
    static func runBlocking<Output: Sendable>(
        name: String, logger: Logger, _ work: @escaping @Sendable (StopRequest) throws -> Output
    ) async throws -> Output {
        let service = BlockingService(name: name, work)
        try await runGroup([service], logger: logger)
        guard let output = service.output else { throw CancellationError() }
        return output
    }
}
