import CZeroMQ

/// Facts about the libzmq library linked in.
public enum ZeroMQ {
    /// The runtime library's version (`zmq_version`), e.g. (4, 3, 4).
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// Whether libzmq was built with a capability (`zmq_has`): "curve", "ipc", "draft", "gssapi", ...
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) != 0
    }
}
