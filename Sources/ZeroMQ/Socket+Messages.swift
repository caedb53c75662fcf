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
    /// when the message cannot be queued now (high-water mark reached, no peer; on a ROUTER with
    /// ``SocketOption/routerMandatory``, the addressed peer's queue is full), or when ``SocketOption/sendTimeout``
    /// elapsed, or when a signal interrupted a blocking send while ``stopCondition`` was set. `EINTR` is otherwise
    /// retried. Other errors are thrown, among them `EHOSTUNREACH` from a ROUTER with
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
            outcome = try libzmq("zmq_msg_send", stop: stopCondition) { zmq_msg_send(&message, handle, flags) }
        } catch {
            zmq_msg_close(&message)
            throw error
        }
        switch outcome {
        case .completed: return true
        case .wouldBlock, .interrupted:
            zmq_msg_close(&message)
            return false
        }
    }

    /// Receives one whole multipart message.
    ///
    /// Returns `nil` on `EAGAIN`: with `dontWait` when no message is queued, or when ``SocketOption/receiveTimeout``
    /// elapsed, or when a signal interrupted the wait for the first frame while ``stopCondition`` was set. `EINTR` is
    /// otherwise retried. `userID` is the ZAP `User-Id` property of the message's frames (on a ROUTER the routing id
    /// frame has none; the frames read from the connection have it).
    ///
    /// At most `maxFrames` frames and `maxBytes` bytes (all frames together) are collected: a longer or larger
    /// message is read to its end, each frame released as soon as it was counted, and reported by throwing
    /// ``MessageTooManyFrames`` (checked first) or ``MessageTooManyBytes``; the socket then continues with the next
    /// message. Nothing of the message beyond the limits is copied.
    public func receive(dontWait: Bool = false, maxFrames: Int = 64, maxBytes: Int = .max) throws -> Message? {
        let handle = try openHandle("zmq_msg_recv")
        guard maxFrames >= 1 else {
            throw ZMQError(code: EINVAL, call: "zmq_msg_recv: maxFrames must be at least 1, not \(maxFrames)")
        }
        var frames: [Frame] = []
        var userID: String?
        var frameCount = 0
        var byteCount = 0
        // One `zmq_msg_t` for every frame: `zmq_msg_recv` releases what it held before, so a frame bomb costs one
        // receive call per frame and nothing else.
        var part = zmq_msg_t()
        zmq_msg_init(&part)
        defer { zmq_msg_close(&part) }
        var more = true
        while more {
            // Frames after the first are already queued (messages arrive whole), so only the first may wait, and
            // only the wait for the first frame may be given up when stopping.
            let flags: Int32 = frameCount == 0 && dontWait ? ZMQ_DONTWAIT : 0
            let stop = frameCount == 0 ? stopCondition : nil
            switch try libzmq("zmq_msg_recv", stop: stop, { zmq_msg_recv(&part, handle, flags) }) {
            case .completed: break
            case .wouldBlock, .interrupted:
                if frameCount == 0 { return nil }
                throw ZMQError(code: EAGAIN, call: "zmq_msg_recv (frame \(frameCount + 1))")
            }
            // A ROUTER makes the routing id frame itself, without the connection's properties: the first frame
            // that has a User-Id gives it. All frames of a message come from one connection, so the first two
            // frames tell (a frame bomb costs no property lookups).
            if userID == nil, frameCount < 2, let property = zmq_msg_gets(&part, "User-Id") {
                let value = String(cString: property)
                userID = value.isEmpty ? nil : value
            }
            byteCount = byteCount &+ zmq_msg_size(&part)
            if frameCount < maxFrames && byteCount <= maxBytes {
                frames.append(Self.copyFrame(&part))
            } else if !frames.isEmpty {
                frames = []  // over a limit: what was copied goes at once, not at the end of the message
            }
            frameCount += 1
            more = zmq_msg_more(&part) != 0
        }
        if frameCount > maxFrames {
            throw MessageTooManyFrames(limit: maxFrames, frameCount: frameCount)
        }
        if byteCount > maxBytes {
            throw MessageTooManyBytes(limit: maxBytes, byteCount: byteCount, frameCount: frameCount)
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
