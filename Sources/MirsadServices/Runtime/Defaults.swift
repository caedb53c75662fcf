import MirsadWire

/// Default endpoints and sizes, named once for the command line, the services and the documentation.
public enum Defaults {
    public static let dispatcherEndpoint = "tcp://127.0.0.1:5570"
    public static let collectorEndpoint = "tcp://127.0.0.1:5571"
    /// The report store of `mirsad run` (a command run by hand: relative to its working directory).
    public static let storePath = "mirsad.sqlite"
    /// File names in the `StateDirectory` of the services' journal and report store, when not given.
    public static let journalFileName = "journal.sqlite"
    public static let storeFileName = "reports.sqlite"
    /// A stored job's id is remembered this long (`DispatcherConfiguration.storedRetention`).
    public static let storedRetention: Duration = .seconds(24 * 3600)
    /// How long the dispatcher and the collector let messages gather for one commit under a steady load
    /// (`DispatcherService.Configuration.commitWindow`): at most 40 commits a second each.
    public static let commitWindow: Duration = .milliseconds(25)
    public static let version = "mirsad 0.1.0"
    /// Frames above this size drop the connection; the protocol's own frame limit plus room for framing.
    public static let socketMaxMessageSize = Int64(ProtocolLimits.maxFrameBytes) + 4096
}
