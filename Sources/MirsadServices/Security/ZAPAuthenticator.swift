import Foundation
import Logging
import MirsadCore
import Synchronization
import ZeroMQ

/// The ZAP handler of a service's context, on a thread of its own: admits a CURVE client whose public key the
/// allowlist lists (in any role), answering its key as the User-Id, and refuses every other handshake.
///
/// Invariants: it is bound before `init` returns, so the guarded sockets (with `ZMQ_ZAP_ENFORCE_DOMAIN`) may bind
/// next; a key is admitted only in `ServerSecurity.zapDomain` over CURVE; the roles are not decided here but per
/// message (`ServerSecurity.authority(of:)`), so a key removed from the allowlist loses its rights at its next
/// message. The allowlist is re-read when its files change (checked about once a second). The thread ends when the
/// context is shut down.
final class ZAPAuthenticator: Sendable {
    /// Handshakes refused because the key is not in the allowlist (or the mechanism or domain is not Mirsad's).
    var refusedHandshakes: UInt64 { refused.load(ordering: .relaxed) }
    /// Handshakes admitted.
    var admittedHandshakes: UInt64 { admitted.load(ordering: .relaxed) }

    private let refused = Atomic<UInt64>(0)
    private let admitted = Atomic<UInt64>(0)
    private let allowlist: KeyAllowlist

    /// Starts the handler in `context`; returns once it is bound. Throws what binding threw (`EADDRINUSE` when the
    /// context has a handler already).
    init(context: ZMQContext, allowlist: KeyAllowlist, logger: Logger) throws {
        self.allowlist = allowlist
        let bound = BindOutcome()
        let thread = Thread { [self] in
            let handler: ZAPHandler
            do {
                handler = try ZAPHandler(context: context)
                bound.settle(.success(()))
            } catch {
                bound.settle(.failure(error))
                return
            }
            serve(handler, logger: logger)
        }
        thread.name = "zap"
        thread.start()
        try bound.wait().get()
        for problem in allowlist.problems { logger.warning("allowlist: \(problem)") }
        logger.info("CURVE on: \(allowlist.count) keys allowed from \(allowlist.directory)")
    }

    /// How binding the handler on its thread went, handed to the thread that waits for it.
    private final class BindOutcome: Sendable {
        private let outcome = Mutex<Result<Void, any Error>?>(nil)
        private let settled = DispatchSemaphore(value: 0)

        func settle(_ result: Result<Void, any Error>) {
            outcome.withLock { $0 = result }
            settled.signal()
        }

        func wait() -> Result<Void, any Error> {
            settled.wait()
            return outcome.withLock { $0 } ?? .success(())
        }
    }

    private func serve(_ handler: ZAPHandler, logger: Logger) {
        defer { handler.close() }
        var problems = ProblemLog()
        var lastCheck = MonotonicInstant.now()
        while true {
            do {
                try handler.answer(timeoutMilliseconds: 250) { request in decide(request, problems: &problems, logger: logger) }
            } catch let error as ZMQError where error.isContextTerminated {
                return
            } catch {
                logger.error("ZAP handler failed: \(error); handshakes are refused from now on")
                return
            }
            let now = MonotonicInstant.now()
            if lastCheck.duration(to: now) >= .seconds(1) {
                lastCheck = now
                if allowlist.reloadIfChanged() {
                    logger.notice("allowlist \(allowlist.directory) changed: \(allowlist.count) keys allowed")
                    for problem in allowlist.problems { logger.warning("allowlist: \(problem)") }
                }
            }
        }
    }

    private func decide(_ request: ZAPRequest, problems: inout ProblemLog, logger: Logger) -> ZAPReply {
        guard request.domain == ServerSecurity.zapDomain, request.mechanism == "CURVE", let key = request.curveClientKey
        else {
            refused.add(1, ordering: .relaxed)
            problems.log("refused a \(request.mechanism) handshake from \(request.address) in domain \"\(request.domain)\"", logger: logger)
            return .deny(request, reason: "CURVE in domain \(ServerSecurity.zapDomain) only")
        }
        let roles = allowlist.roles(of: key)
        guard !roles.isEmpty else {
            refused.add(1, ordering: .relaxed)
            problems.log("refused unknown key \(key) from \(request.address)", logger: logger)
            return .deny(request, reason: "unknown key")
        }
        admitted.add(1, ordering: .relaxed)
        logger.debug("admitted \(allowlist.name(of: key) ?? key) (\(roles.map(\.rawValue).sorted().joined(separator: ","))) from \(request.address)")
        return .allow(request, userID: key)
    }
}
