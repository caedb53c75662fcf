import MirsadWire

/// Default endpoints and sizes, named once for the command line, the services and the documentation.
public enum Defaults {
    public static let dispatcherEndpoint = "tcp://127.0.0.1:5570"
    public static let collectorEndpoint = "tcp://127.0.0.1:5571"
    public static let storePath = "mirsad.sqlite"
    public static let version = "mirsad 0.1.0"
    /// Frames above this size drop the connection; the protocol's own frame limit plus room for framing.
    public static let socketMaxMessageSize = Int64(ProtocolLimits.maxFrameBytes) + 4096
}
