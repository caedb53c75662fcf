import Foundation
import ServiceLifecycle
import ZeroMQ

/// Hosts a service's blocking socket loop on a thread of its own, for an async `Service.run()`.
///
/// The loop owns its sockets and blocks in `zmq_poll`, so it cannot run on the cooperative pool without starving
/// it; a dedicated thread is what libzmq expects. The two ways to stop it:
/// - graceful shutdown (SIGTERM/SIGINT through the `ServiceGroup`, or a test's trigger) sets `stop`, which the loop
///   reads between polls and answers by finishing its work as its role prescribes;
/// - cancellation shuts `context` down, so every blocked libzmq call returns `ETERM` at once and the loop ends
///   (`ZMQError.isContextTerminated`); what is durable stays durable, nothing more is sent.
///
/// Returns what the loop returned, or throws what it threw; a cancelled run throws `CancellationError`, whether
/// its loop ended on the stop request or on `ETERM`.
func runOnLoopThread<Output: Sendable>(
    name: String, context: ZMQContext, stop: StopRequest,
    _ loop: @escaping @Sendable () throws -> Output
) async throws -> Output {
    try await runOnLoopThread(name: name, stop: stop, onCancel: { context.shutdown() }, loop)
}

/// `runOnLoopThread(name:context:stop:_:)` for a loop whose sockets are not known here: cancellation runs
/// `onCancel` (by default, the same graceful request as a shutdown).
func runOnLoopThread<Output: Sendable>(
    name: String, stop: StopRequest, onCancel: @escaping @Sendable () -> Void = {},
    _ loop: @escaping @Sendable () throws -> Output
) async throws -> Output {
    let output = try await withTaskCancellationHandler {
        try await withGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Output, any Error>) in
                let thread = Thread {
                    do {
                        continuation.resume(returning: try loop())
                    } catch let error as ZMQError where error.isContextTerminated {
                        continuation.resume(throwing: CancellationError())
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = name
                thread.start()
            }
        } onGracefulShutdown: {
            stop.request()
        }
    } onCancel: {
        stop.request()
        onCancel()
    }
    // Cancellation sets the stop request before it ends the context: the loop may see either first.
    try Task.checkCancellation()
    return output
}
