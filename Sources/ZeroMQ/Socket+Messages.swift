import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Socket {
    /// Sends all frames as one multipart message.
    ///
    /// Returns `false`, having sent nothing, when libzmq reports `EAGAIN` for the first frame: with `dontWait`
    /// when the message cannot be queued now (high-water mark reached, no peer), or when ``SocketOption/sendTimeout``
    /// elapsed. `EINTR` is retried. Other errors are thrown, among them `EHOSTUNREACH` from a ROUTER with
    /// ``SocketOption/routerMandatory`` when the first frame names no connected peer.
    ///
    /// Once libzmq accepted the first frame it accepts the rest (its high-water mark counts whole messages),
    /// so later frames are sent without `ZMQ_DONTWAIT`. An empty `frames` throws `EINVAL`.
    @discardableResult
    public func send(_ frames: [Frame], dontWait: Bool = false) throws -> Bool {
        let handle = try openHandle("zmq_msg_send")
        guard !frames.isEmpty else {
            throw ZMQError(code: EINVAL, call: "zmq_msg_send (a message needs at least one frame)")
        }
        let lastIndex = frames.count - 1
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < lastIndex ? ZMQ_SNDMORE : 0
            if index == 0 && dontWait { flags |= ZMQ_DONTWAIT }
            let sent = try sendFrame(frame, flags: flags, handle: handle)
            if !sent {
                if index == 0 { return false }
                // Only reachable with a send timeout that elapses mid-message; the message is now incomplete.
                throw ZMQError(code: EAGAIN, call: "zmq_msg_send (frame \(index + 1) of \(frames.count))")
            }
        }
        return true
    }

    /// Sends `message.frames` (its `userID` is not sent). See ``send(_:dontWait:)-([Frame],_)``.
    @discardableResult
    public func send(_ message: Message, dontWait: Bool = false) throws -> Bool {
        try send(message.frames, dontWait: dontWait)
    }

    /// Copies one frame into a fresh `zmq_msg_t` and sends it. `zmq_msg_send` takes the message over on success
    /// only, so the message is closed here exactly when the send failed (including `EAGAIN`).
    private func sendFrame(_ frame: Frame, flags: Int32, handle: UnsafeMutableRawPointer) throws(ZMQError) -> Bool {
        var message = zmq_msg_t()
        try libzmqChecked("zmq_msg_init_size") { zmq_msg_init_size(&message, frame.count) }
        if !frame.isEmpty {
            frame.withUnsafeBytes { bytes in
                _ = memcpy(zmq_msg_data(&message), bytes.baseAddress!, bytes.count)
            }
        }
        let outcome: LibzmqOutcome
        do {
            outcome = try libzmq("zmq_msg_send") { zmq_msg_send(&message, handle, flags) }
        } catch {
            zmq_msg_close(&message)
            throw error
        }
        switch outcome {
        case .completed: return true
        case .wouldBlock:
            zmq_msg_close(&message)
            return false
        }
    }

    /// Receives one whole multipart message.
    ///
    /// Returns `nil` on `EAGAIN`: with `dontWait` when no message is queued, or when ``SocketOption/receiveTimeout``
    /// elapsed. `EINTR` is retried. `userID` is the ZAP `User-Id` property of the message's frames (on a ROUTER
    /// the routing id frame has none; the frames read from the connection have it).
    ///
    /// At most `maxFrames` frames are collected: a longer message is read to its end, discarded, and reported by
    /// throwing ``MessageTooManyFrames``; the socket then continues with the next message.
    public func receive(dontWait: Bool = false, maxFrames: Int = 64) throws -> Message? {
        let handle = try openHandle("zmq_msg_recv")
        guard maxFrames >= 1 else {
            throw ZMQError(code: EINVAL, call: "zmq_msg_recv: maxFrames must be at least 1, not \(maxFrames)")
        }
        var frames: [Frame] = []
        var userID: String?
        var frameCount = 0
        var part = zmq_msg_t()
        var more = true
        while more {
            zmq_msg_init(&part)
            let outcome: LibzmqOutcome
            do {
                // Frames after the first are already queued (messages arrive whole), so only the first may wait.
                let flags: Int32 = frameCount == 0 && dontWait ? ZMQ_DONTWAIT : 0
                outcome = try libzmq("zmq_msg_recv") { zmq_msg_recv(&part, handle, flags) }
            } catch {
                zmq_msg_close(&part)
                throw error
            }
            if case .wouldBlock = outcome {
                zmq_msg_close(&part)
                if frameCount == 0 { return nil }
                throw ZMQError(code: EAGAIN, call: "zmq_msg_recv (frame \(frameCount + 1))")
            }
            // A ROUTER makes the routing id frame itself, without the connection's properties: the first frame
            // that has a User-Id gives it.
            if userID == nil, let property = zmq_msg_gets(&part, "User-Id") {
                let value = String(cString: property)
                userID = value.isEmpty ? nil : value
            }
            if frameCount < maxFrames {
                frames.append(Self.copyFrame(&part))
            }
            frameCount += 1
            more = zmq_msg_more(&part) != 0  // must be read before the close below
            zmq_msg_close(&part)
        }
        if frameCount > maxFrames {
            throw MessageTooManyFrames(limit: maxFrames, frameCount: frameCount)
        }
        return Message(frames, userID: userID)
    }

    /// The bytes of a received `zmq_msg_t`, copied into one exactly sized array.
    private static func copyFrame(_ part: inout zmq_msg_t) -> Frame {
        let size = zmq_msg_size(&part)
        guard size > 0, let data = zmq_msg_data(&part) else { return [] }
        return Frame(unsafeUninitializedCapacity: size) { buffer, initialized in
            _ = memcpy(buffer.baseAddress!, data, size)
            initialized = size
        }
    }
}
