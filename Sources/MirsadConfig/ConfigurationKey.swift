/// What a configuration key holds, and how its value is checked and handed to the command line.
public enum ConfigurationValueKind: Sendable, Hashable {
    /// Any text.
    case text
    /// A file or directory path (not checked for existence: the service says so when it starts).
    case path
    /// A ZeroMQ endpoint: `tcp://HOST:PORT` (or `ipc://`, `inproc://`).
    case endpoint
    /// `HOST:PORT`, PORT 0...65535.
    case address
    /// A whole number in `range`.
    case integer(ClosedRange<Int>)
    /// Seconds: a number, or a duration with a unit (`500ms`, `30s`, `5m`, `2h`, `1d`); handed on in seconds.
    case seconds
    /// A duration with a unit (`90s`, `30m`, `24h`, `7d`), handed on as written.
    case duration
    /// true or false; true passes the flag, false passes nothing.
    case boolean
    /// One of the given words.
    case choice([String])
}

/// One key of the configuration file: where it lives, what it holds, its default, the flag it stands for.
///
/// Invariant: every key is a flag of the section's commands (`flag`), so the file, the environment and the flags
/// are three ways to give the same value, and the flags win.
public struct ConfigurationKey: Sendable, Hashable {
    public var section: ConfigurationSection
    public var name: String
    public var kind: ConfigurationValueKind
    /// The default as the documentation shows it ("" when there is none, e.g. no key file).
    public var defaultText: String
    public var help: String

    public init(_ section: ConfigurationSection, _ name: String, _ kind: ConfigurationValueKind, default defaultText: String, _ help: String) {
        self.section = section
        self.name = name
        self.kind = kind
        self.defaultText = defaultText
        self.help = help
    }

    /// `--stored-retention` for `stored_retention`.
    public var flag: String { "--" + name.replacingOccurrences(of: "_", with: "-") }

    /// `MIRSAD_DISPATCHER_STORED_RETENTION` for `dispatcher.stored_retention`.
    public var environmentVariable: String { "MIRSAD_\(section.rawValue.uppercased())_\(name.uppercased())" }

    /// `dispatcher.stored_retention`.
    public var path: String { "\(section.rawValue).\(name)" }
}

/// A section of the file: one role (or the clients), read by the commands it names.
public enum ConfigurationSection: String, Sendable, Hashable, CaseIterable {
    case dispatcher, worker, collector, web, client

    /// The command lines (after `mirsad`) that read this section.
    public var commands: [[String]] {
        switch self {
        case .dispatcher: [["dispatcher"]]
        case .worker: [["worker"]]
        case .collector: [["collector"]]
        case .web: [["web"]]
        case .client: [["submit"], ["status"], ["dlq", "list"], ["dlq", "retry"]]
        }
    }
}
