import Testing
@testable import ZeroMQ

/// A unique inproc endpoint per call, so tests can run in parallel in one process.
func uniqueInprocEndpoint(_ label: String = #function) -> String {
    "inproc://test-\(label.filter { $0.isLetter || $0.isNumber })-\(UInt64.random(in: 0 ... .max))"
}

extension Socket {
    /// Binds to an ephemeral TCP loopback port and returns the resolved endpoint.
    func bindLoopback() throws -> String {
        try bind("tcp://127.0.0.1:*")
        return try lastEndpoint
    }

    /// Receives with a bounded wait so a broken test fails instead of hanging.
    func receive(within milliseconds: Int32, maxFrames: Int = 64) throws -> Message? {
        try set(.receiveTimeout, milliseconds)
        return try receive(maxFrames: maxFrames)
    }
}

/// Runs `body` and returns the ZMQError it threw (nil when it threw nothing or something else).
func zmqError(_ body: () throws -> Void) -> ZMQError? {
    do {
        try body()
        return nil
    } catch let error as ZMQError {
        return error
    } catch {
        return nil
    }
}
