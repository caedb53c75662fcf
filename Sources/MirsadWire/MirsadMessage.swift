import SwiftProtobuf

/// One protocol message: its command and its decoded body.
///
/// The case decides the command byte, so a message can never be sent with a body of the wrong kind. Three commands
/// have a second case, their pass-through view (`Protocols/mirsad.proto`, "Pass-through views"): the same bytes on
/// the wire, read by a service that only stores or forwards the jobs or analyses inside (see `Reading`).
public enum MirsadMessage: Sendable, Equatable {
    /// How a receiver reads SUBMIT, JOBS and RESULTS.
    public enum Reading: Sendable {
        /// Every field decoded.
        case decoded
        /// Jobs and analyses left as bytes: `.submitView`, `.jobsView`, `.resultsView`.
        case passThrough
    }

    case hello(Mirsad_V1_Hello)
    case welcome(Mirsad_V1_Welcome)
    case jobs(Mirsad_V1_Jobs)
    case done(Mirsad_V1_Done)
    /// From a worker, the jobs it holds (their leases are extended); empty from everyone else.
    case heartbeat(Mirsad_V1_Heartbeat)
    case bye(Mirsad_V1_Bye)
    case stored(Mirsad_V1_Stored)
    case storedAck(Mirsad_V1_StoredAck)
    case submit(Mirsad_V1_Submit)
    case submitAck(Mirsad_V1_SubmitAck)
    case batchStatus(Mirsad_V1_BatchStatus)
    case batchStatusReply(Mirsad_V1_BatchStatusReply)
    case status(Mirsad_V1_Status)
    case statusReply(Mirsad_V1_StatusReply)
    case deadLetters(Mirsad_V1_DeadLetters)
    case deadLettersReply(Mirsad_V1_DeadLettersReply)
    case retryDeadLetters(Mirsad_V1_RetryDeadLetters)
    case retryDeadLettersReply(Mirsad_V1_RetryDeadLettersReply)
    case results(Mirsad_V1_Results)
    case resultsAck(Mirsad_V1_ResultsAck)
    case error(Mirsad_V1_Error)
    /// SUBMIT, its jobs as their producer encoded them.
    case submitView(Mirsad_V1_SubmitView)
    /// JOBS, its jobs as their producer encoded them.
    case jobsView(Mirsad_V1_JobsView)
    /// RESULTS, each analysis as its worker encoded it.
    case resultsView(Mirsad_V1_ResultsView)

    public var command: Command {
        switch self {
        case .hello: .hello
        case .welcome: .welcome
        case .jobs: .jobs
        case .done: .done
        case .heartbeat: .heartbeat
        case .bye: .bye
        case .stored: .stored
        case .storedAck: .storedAck
        case .submit: .submit
        case .submitAck: .submitAck
        case .batchStatus: .batchStatus
        case .batchStatusReply: .batchStatusReply
        case .status: .status
        case .statusReply: .statusReply
        case .deadLetters: .deadLetters
        case .deadLettersReply: .deadLettersReply
        case .retryDeadLetters: .retryDeadLetters
        case .retryDeadLettersReply: .retryDeadLettersReply
        case .results: .results
        case .resultsAck: .resultsAck
        case .error: .error
        case .submitView: .submit
        case .jobsView: .jobs
        case .resultsView: .results
        }
    }

    /// A HEARTBEAT with an empty body (from the dispatcher, collectors, and workers that hold nothing).
    public static var heartbeat: MirsadMessage { .heartbeat(Mirsad_V1_Heartbeat()) }

    /// An ERROR message.
    public static func error(_ code: Mirsad_V1_ErrorCode, _ message: String, requestID: String = "", command: Command? = nil) -> MirsadMessage {
        var body = Mirsad_V1_Error()
        body.code = code
        body.message = message
        body.requestID = requestID
        body.command = UInt32(command?.rawValue ?? 0)
        return .error(body)
    }

    /// The body as a protobuf message.
    var body: any SwiftProtobuf.Message {
        switch self {
        case .hello(let m): m
        case .welcome(let m): m
        case .jobs(let m): m
        case .done(let m): m
        case .heartbeat(let m): m
        case .bye(let m): m
        case .stored(let m): m
        case .storedAck(let m): m
        case .submit(let m): m
        case .submitAck(let m): m
        case .batchStatus(let m): m
        case .batchStatusReply(let m): m
        case .status(let m): m
        case .statusReply(let m): m
        case .deadLetters(let m): m
        case .deadLettersReply(let m): m
        case .retryDeadLetters(let m): m
        case .retryDeadLettersReply(let m): m
        case .results(let m): m
        case .resultsAck(let m): m
        case .error(let m): m
        case .submitView(let m): m
        case .jobsView(let m): m
        case .resultsView(let m): m
        }
    }

    /// Decodes a body for `command`.
    static func decode(command: Command, body: [UInt8], reading: Reading = .decoded) throws -> MirsadMessage {
        if reading == .passThrough {
            switch command {
            case .submit: return .submitView(try .init(serializedBytes: body))
            case .jobs: return .jobsView(try .init(serializedBytes: body))
            case .results: return .resultsView(try .init(serializedBytes: body))
            default: break
            }
        }
        return switch command {
        case .hello: .hello(try .init(serializedBytes: body))
        case .welcome: .welcome(try .init(serializedBytes: body))
        case .jobs: .jobs(try .init(serializedBytes: body))
        case .done: .done(try .init(serializedBytes: body))
        case .heartbeat: .heartbeat(try .init(serializedBytes: body))
        case .bye: .bye(try .init(serializedBytes: body))
        case .stored: .stored(try .init(serializedBytes: body))
        case .storedAck: .storedAck(try .init(serializedBytes: body))
        case .submit: .submit(try .init(serializedBytes: body))
        case .submitAck: .submitAck(try .init(serializedBytes: body))
        case .batchStatus: .batchStatus(try .init(serializedBytes: body))
        case .batchStatusReply: .batchStatusReply(try .init(serializedBytes: body))
        case .status: .status(try .init(serializedBytes: body))
        case .statusReply: .statusReply(try .init(serializedBytes: body))
        case .deadLetters: .deadLetters(try .init(serializedBytes: body))
        case .deadLettersReply: .deadLettersReply(try .init(serializedBytes: body))
        case .retryDeadLetters: .retryDeadLetters(try .init(serializedBytes: body))
        case .retryDeadLettersReply: .retryDeadLettersReply(try .init(serializedBytes: body))
        case .results: .results(try .init(serializedBytes: body))
        case .resultsAck: .resultsAck(try .init(serializedBytes: body))
        case .error: .error(try .init(serializedBytes: body))
        }
    }
}
