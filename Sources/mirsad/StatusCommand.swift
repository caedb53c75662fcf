import ArgumentParser
import Foundation
import MirsadProtocol
import MirsadServices

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the dispatcher's queue, workers, throughput and latency.")

    @OptionGroup var dispatcher: DispatcherAddress
    @Flag(help: "Print JSON (fields documented in the README).")
    var json = false
    @Flag(help: "Refresh every second until interrupted.")
    var watch = false
    @Option(help: "Seconds to wait for the dispatcher's answer.")
    var timeout: Double = 3

    func run() throws {
        ShutdownSignal.install()
        let client = try StatusClient(dispatcherEndpoint: dispatcher.endpoint)
        repeat {
            let view = StatusView(try client.fetch(timeoutSeconds: timeout))
            let text = json ? try JSONOutput.encode(view) + "\n" : view.text
            print(watch && !json ? "\u{1B}[H\u{1B}[2J" + text : text, terminator: "")
            fflush(nil)
            if watch { Thread.sleep(forTimeInterval: 1) }
        } while watch && !ShutdownSignal.isRequested
    }
}

/// What `mirsad status --json` prints: a stable, documented shape independent of the wire format.
struct StatusView: Codable, Equatable {
    struct Worker: Codable, Equatable {
        var id: String
        var host: String
        var pid: Int64
        var capacity: UInt32
        var inFlight: UInt32
        var done: UInt64
        var failed: UInt64
        var rate: Double
        var silentMs: UInt64
        enum CodingKeys: String, CodingKey {
            case id, host, pid, capacity, inFlight = "in_flight", done, failed, rate, silentMs = "silent_ms"
        }
    }
    var queued: UInt64
    var inFlight: UInt64
    var awaitingStore: UInt64
    var stored: UInt64
    var failed: UInt64
    var workers: [Worker]
    var collectors: UInt32
    var throughput10s: Double
    var throughput1m: Double
    var latencyP50Ms: Double
    var latencyP99Ms: Double
    var uptimeSeconds: Double
    var batches: UInt64
    var malformedMessages: UInt64
    var refusedMessages: UInt64
    var version: String

    enum CodingKeys: String, CodingKey {
        case queued, inFlight = "in_flight", awaitingStore = "awaiting_store", stored, failed, workers, collectors
        case throughput10s = "throughput_10s", throughput1m = "throughput_1m"
        case latencyP50Ms = "latency_p50_ms", latencyP99Ms = "latency_p99_ms", uptimeSeconds = "uptime_s"
        case batches, malformedMessages = "malformed_messages", refusedMessages = "refused_messages", version
    }

    init(_ reply: Mirsad_V1_StatusReply) {
        queued = reply.queued
        inFlight = reply.inFlight
        awaitingStore = reply.awaitingStore
        stored = reply.stored
        failed = reply.failed
        workers = reply.workers.map {
            Worker(id: $0.id, host: $0.host, pid: $0.pid, capacity: $0.capacity, inFlight: $0.inFlight, done: $0.done,
                   failed: $0.failed, rate: $0.rate, silentMs: $0.silentMs)
        }
        collectors = reply.collectors
        throughput10s = reply.throughput10S
        throughput1m = reply.throughput1M
        latencyP50Ms = reply.latencyP50Ms
        latencyP99Ms = reply.latencyP99Ms
        uptimeSeconds = Double(reply.uptimeMs) / 1000
        batches = reply.batches
        malformedMessages = reply.malformedMessages
        refusedMessages = reply.refusedMessages
        version = reply.version
    }

    var text: String {
        var lines: [String] = []
        lines.append("dispatcher \(version), up \(Format.seconds(uptimeSeconds))")
        lines.append("jobs: \(queued) queued, \(inFlight) in flight, \(awaitingStore) awaiting store, \(stored) stored, \(failed) failed")
        lines.append("throughput: \(Format.rate(throughput10s)) articles/s (10 s), \(Format.rate(throughput1m)) articles/s (1 min)")
        lines.append(String(format: "latency submit->stored: p50 %.1f ms, p99 %.1f ms", latencyP50Ms, latencyP99Ms))
        lines.append("collectors: \(collectors); malformed messages: \(malformedMessages), refused: \(refusedMessages)")
        lines.append("workers: \(workers.count)")
        for w in workers {
            lines.append("  \(w.id)  host \(w.host) pid \(w.pid)  in flight \(w.inFlight)/\(w.capacity)  done \(w.done)  failed \(w.failed)  \(Format.rate(w.rate)) articles/s")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
