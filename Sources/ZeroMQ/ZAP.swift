/// A ZAP (ZeroMQ RFC 27) authentication request, as libzmq sends it to the context's ZAP handler.
public struct ZAPRequest: Sendable, Equatable {
    /// Where a context's ZAP handler binds (a REP socket in the same context as the sockets it guards,
    /// bound before they bind).
    public static let endpoint = "inproc://zeromq.zap.01"

    /// Always "1.0" for the requests this type accepts.
    public var version: String
    /// Opaque id that the reply must echo.
    public var requestID: Frame
    /// The guarded socket's ``SocketOption/zapDomain``.
    public var domain: String
    /// The peer's IP address.
    public var address: String
    /// The peer's routing id when it set one (ROUTER peers), else empty.
    public var routingID: Frame
    /// "NULL", "PLAIN" or "CURVE".
    public var mechanism: String
    /// Mechanism credentials: for CURVE one 32-byte client public key; for PLAIN user name and password.
    public var credentials: [Frame]

    public init(
        requestID: Frame, domain: String, address: String, routingID: Frame, mechanism: String,
        credentials: [Frame]
    ) {
        self.version = "1.0"
        self.requestID = requestID
        self.domain = domain
        self.address = address
        self.routingID = routingID
        self.mechanism = mechanism
        self.credentials = credentials
    }

    /// Parses the frames a REP socket receives. Throws ``ZAPRequestError`` naming what is wrong.
    public init(frames: [Frame]) throws {
        guard frames.count >= 6 else { throw ZAPRequestError.tooFewFrames(frames.count) }
        let version = String(decoding: frames[0], as: UTF8.self)
        guard version == "1.0" else { throw ZAPRequestError.unsupportedVersion(version) }
        self.version = version
        requestID = frames[1]
        domain = String(decoding: frames[2], as: UTF8.self)
        address = String(decoding: frames[3], as: UTF8.self)
        routingID = frames[4]
        mechanism = String(decoding: frames[5], as: UTF8.self)
        credentials = Array(frames.dropFirst(6))
        if mechanism == "CURVE", credentials.count != 1 || credentials[0].count != 32 {
            throw ZAPRequestError.badCurveCredentials
        }
    }

    /// The frames of this request (what libzmq sends, without the REQ envelope).
    public var frames: [Frame] {
        [Array(version.utf8), requestID, Array(domain.utf8), Array(address.utf8), routingID, Array(mechanism.utf8)]
            + credentials
    }

    /// For CURVE, the client's long-term public key in Z85 (40 characters); nil for other mechanisms.
    public var curveClientKey: String? {
        guard mechanism == "CURVE", credentials.count == 1 else { return nil }
        return try? Z85.encode(credentials[0])
    }
}

/// Why a ZAP request could not be parsed.
public enum ZAPRequestError: Error, Equatable, CustomStringConvertible {
    case tooFewFrames(Int)
    case unsupportedVersion(String)
    case badCurveCredentials

    public var description: String {
        switch self {
        case .tooFewFrames(let count): "ZAP request has \(count) frames; at least 6 are required"
        case .unsupportedVersion(let version): "ZAP request version \"\(version)\" is not 1.0"
        case .badCurveCredentials: "ZAP CURVE request must carry one 32-byte client key"
        }
    }
}

/// A ZAP reply: the verdict on one ``ZAPRequest``.
public struct ZAPReply: Sendable, Equatable {
    /// RFC 27 status codes.
    public enum Status: String, Sendable {
        case allowed = "200"
        case temporaryError = "300"
        case denied = "400"
        case internalError = "500"
    }

    public var requestID: Frame
    public var status: Status
    public var statusText: String
    /// Becomes ``Message/userID`` on every message received over the connection (when allowed and non-empty).
    public var userID: String

    public init(requestID: Frame, status: Status, statusText: String = "", userID: String = "") {
        self.requestID = requestID
        self.status = status
        self.statusText = statusText
        self.userID = userID
    }

    /// Lets the peer in, tagging its messages with `userID`.
    public static func allow(_ request: ZAPRequest, userID: String) -> ZAPReply {
        ZAPReply(requestID: request.requestID, status: .allowed, statusText: "OK", userID: userID)
    }

    /// Refuses the peer; the guarded socket reports ``SocketEventKind/handshakeFailedAuth`` with value 400.
    public static func deny(_ request: ZAPRequest, reason: String) -> ZAPReply {
        ZAPReply(requestID: request.requestID, status: .denied, statusText: reason)
    }

    /// The reply frames: version, request id, status code, status text, user id, metadata (empty).
    public var frames: [Frame] {
        [Array("1.0".utf8), requestID, Array(status.rawValue.utf8), Array(statusText.utf8), Array(userID.utf8), []]
    }
}

/// A ZAP handler: a REP socket on ``ZAPRequest/endpoint`` that answers each request with a caller's decision.
///
/// Owned by one thread like any ``Socket``: either give it a thread of its own looping on
/// ``answer(timeoutMilliseconds:_:)``, or register ``socket`` in the guarded service's ``Poller`` and call
/// ``answerPending(_:)`` when it is readable (handshakes run on libzmq's I/O threads, so this does not deadlock).
/// It must be created before the guarded sockets bind; set ``SocketOption/zapEnforceDomain`` on those so that a
/// missing handler refuses instead of admitting everyone.
public final class ZAPHandler {
    public let socket: Socket

    /// Binds the handler in `context`. Throws `EADDRINUSE` when the context already has one.
    public init(context: ZMQContext) throws {
        socket = try Socket(context: context, type: .rep)
        try socket.bind(ZAPRequest.endpoint)
    }

    /// Answers every queued request without waiting; returns how many.
    @discardableResult
    public func answerPending(_ decide: (ZAPRequest) -> ZAPReply) throws -> Int {
        var answered = 0
        while try answerOne(dontWait: true, decide) { answered += 1 }
        return answered
    }

    /// Waits up to `timeoutMilliseconds` (-1 forever) for one request and answers it; false when none came.
    @discardableResult
    public func answer(timeoutMilliseconds: Int32, _ decide: (ZAPRequest) -> ZAPReply) throws -> Bool {
        try socket.set(.receiveTimeout, timeoutMilliseconds)
        return try answerOne(dontWait: false, decide)
    }

    /// A malformed request is answered with status 500 (a REP socket must reply before it can receive again).
    private func answerOne(dontWait: Bool, _ decide: (ZAPRequest) -> ZAPReply) throws -> Bool {
        let reply: ZAPReply
        do {
            guard let message = try socket.receive(dontWait: dontWait, maxFrames: 16) else { return false }
            do {
                reply = decide(try ZAPRequest(frames: message.frames))
            } catch {
                let requestID = message.frames.count > 1 ? message.frames[1] : []
                reply = ZAPReply(requestID: requestID, status: .internalError, statusText: "\(error)")
            }
        } catch let error as MessageTooManyFrames {
            reply = ZAPReply(requestID: [], status: .internalError, statusText: "\(error)")
        }
        try socket.send(reply.frames)
        return true
    }

    /// Closes the handler's socket; later handshakes in guarded domains fail (with ``SocketOption/zapEnforceDomain``).
    public func close() { socket.close() }
}

@available(*, unavailable)
extension ZAPHandler: Sendable {}
