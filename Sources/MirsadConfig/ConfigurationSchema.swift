/// Every key of the configuration file, with its default and meaning. `Deploy/CONFIGURATION.md` documents the same
/// keys (a test holds the two together), and `mirsad config check` checks a file against this table.
public enum ConfigurationSchema {
    public static let keys: [ConfigurationKey] = dispatcher + worker + collector + web + client

    static func serverKeys(_ section: ConfigurationSection) -> [ConfigurationKey] { [
        .init(section, "key", .path, default: "", "This service's secret CURVE certificate (NAME.key_secret); with it the endpoint is served over CURVE."),
        .init(section, "allow", .path, default: "", "The allowlist directory: one subdirectory per role holding public certificates."),
        .init(section, "lease_key", .path, default: "", "The lease key shared by the dispatcher and the collectors (lease.lease)."),
        .init(section, "insecure", .boolean, default: "false", "Serve without keys on a non-loopback endpoint (a network you trust)."),
    ] }

    static func common(_ section: ConfigurationSection) -> [ConfigurationKey] { [
        .init(section, "metrics", .address, default: "", "Serve Prometheus metrics at http://HOST:PORT/metrics; off when empty."),
        .init(section, "log_level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), default: "info", "Log level."),
    ] }

    static let dispatcher: [ConfigurationKey] = [
        .init(.dispatcher, "bind", .endpoint, default: "tcp://127.0.0.1:5570", "Endpoint to bind, for every role."),
        .init(.dispatcher, "collector", .endpoint, default: "", "Collector endpoint named to workers in WELCOME."),
        .init(.dispatcher, "journal", .path, default: "$STATE_DIRECTORY/journal.sqlite", "The job journal (SQLite); :memory: for tests only."),
        .init(.dispatcher, "stored_retention", .duration, default: "24h", "How long a stored job's id is remembered (a resubmission within it is a duplicate)."),
        .init(.dispatcher, "max_attempts", .integer(1...1_000), default: "5", "Attempts a job gets before it is dead-lettered."),
        .init(.dispatcher, "retry_backoff", .seconds, default: "1s", "Wait before a failed job's first retry, doubled for each further failure."),
        .init(.dispatcher, "retry_backoff_max", .seconds, default: "60s", "The longest wait between two attempts."),
        .init(.dispatcher, "max_queued", .integer(1...1_000_000_000), default: "1000000", "Jobs that may wait before SUBMIT is refused with BUSY."),
        .init(.dispatcher, "lease_timeout", .seconds, default: "30s", "How long a job stays with a worker that stops listing it in its heartbeats."),
        .init(.dispatcher, "liveness_timeout", .seconds, default: "5s", "How long a worker or collector may stay silent before it is declared dead."),
        .init(.dispatcher, "store_deadline", .seconds, default: "120s", "How long a job may await its STORED after its DONE before it runs again."),
        .init(.dispatcher, "commit_window", .seconds, default: "25ms", "How long messages arriving right after a commit wait to share the next one (0 to 1 s)."),
    ] + serverKeys(.dispatcher) + common(.dispatcher)

    static let worker: [ConfigurationKey] = [
        .init(.worker, "dispatcher", .endpoint, default: "tcp://127.0.0.1:5570", "The dispatcher's endpoint."),
        .init(.worker, "collector", .endpoint, default: "", "The collector's endpoint; empty: the one the dispatcher names in WELCOME."),
        .init(.worker, "threads", .integer(1...4_096), default: "the number of cores", "Analysis threads."),
        .init(.worker, "capacity", .integer(1...65_536), default: "128 per thread, at least 256", "Jobs held at once (the credit asked of the dispatcher)."),
        .init(.worker, "job_timeout", .seconds, default: "300s", "How long one analysis may run before it counts as failed and the worker process restarts."),
        .init(.worker, "analysis", .text, default: "full", "full, or none / sleep:DURATION to benchmark the cluster alone."),
        .init(.worker, "key", .path, default: "", "The worker's secret CURVE certificate."),
        .init(.worker, "dispatcher_key", .path, default: "", "The dispatcher's public certificate (dispatcher.key)."),
        .init(.worker, "collector_key", .path, default: "", "The collector's public certificate (collector.key)."),
    ] + common(.worker)

    static let collector: [ConfigurationKey] = [
        .init(.collector, "bind", .endpoint, default: "tcp://127.0.0.1:5571", "Endpoint to bind for workers' results."),
        .init(.collector, "dispatcher", .endpoint, default: "tcp://127.0.0.1:5570", "The dispatcher's endpoint."),
        .init(.collector, "store", .text, default: "$STATE_DIRECTORY/reports.sqlite", "The report store: a SQLite path or postgres://USER:PASSWORD@HOST:PORT/DATABASE."),
        .init(.collector, "dispatcher_key", .path, default: "", "The dispatcher's public certificate, for the collector's link to it."),
        .init(.collector, "commit_window", .seconds, default: "25ms", "How long results arriving right after a commit wait to share the next one (0 to 1 s)."),
    ] + serverKeys(.collector) + common(.collector)

    static let web: [ConfigurationKey] = [
        .init(.web, "bind", .address, default: "127.0.0.1:8080", "Address the report pages are served on."),
        .init(.web, "store", .text, default: "mirsad.sqlite", "The report store to read: a SQLite path or postgres://..."),
        .init(.web, "dispatcher", .endpoint, default: "", "The dispatcher to ask for the live status; none when empty."),
        .init(.web, "metrics", .address, default: "", "Serve Prometheus metrics at http://HOST:PORT/metrics; off when empty."),
        .init(.web, "log_level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), default: "info", "Log level."),
    ]

    static let client: [ConfigurationKey] = [
        .init(.client, "dispatcher", .endpoint, default: "tcp://127.0.0.1:5570", "The dispatcher that submit, status and dlq talk to."),
        .init(.client, "key", .path, default: "", "The client's secret CURVE certificate (a producer, status or operator key)."),
        .init(.client, "dispatcher_key", .path, default: "", "The dispatcher's public certificate."),
    ]

    public static func key(_ section: ConfigurationSection, _ name: String) -> ConfigurationKey? {
        keys.first { $0.section == section && $0.name == name }
    }
}
