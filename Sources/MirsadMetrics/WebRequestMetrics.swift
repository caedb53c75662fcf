import CoreMetrics
import Hummingbird

/// `mirsad web`'s requests: `mirsad_web_requests_total{status}` (the status class: 2xx, 3xx, 4xx, 5xx) and
/// `mirsad_web_request_seconds`. Labelled by status class, not by path: paths carry entity keys and article ids,
/// which would make a series per page.
public struct WebRequestMetrics<Context: RequestContext>: RouterMiddleware {
    private let seconds: Timer
    private let byClass: [String: Counter]

    public init(registry: MetricsRegistry, version: String) {
        registry.announce(role: "web", version: version)
        seconds = Timer(label: MetricNames.webRequestSeconds, dimensions: [], factory: registry.factory)
        var byClass: [String: Counter] = [:]
        for status in ["1xx", "2xx", "3xx", "4xx", "5xx"] {
            byClass[status] = Counter(label: MetricNames.webRequests, dimensions: [("status", status)], factory: registry.factory)
        }
        self.byClass = byClass
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(status: response.status.code, since: started)
            return response
        } catch let error as HTTPResponseError {
            record(status: error.status.code, since: started)
            throw error
        } catch {
            record(status: 500, since: started)
            throw error
        }
    }

    private func record(status: Int, since started: ContinuousClock.Instant) {
        seconds.recordNanoseconds((ContinuousClock.now - started).wholeNanosecondsForMetrics)
        byClass["\(min(max(status / 100, 1), 5))xx"]?.increment()
    }
}

extension Duration {
    var wholeNanosecondsForMetrics: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
