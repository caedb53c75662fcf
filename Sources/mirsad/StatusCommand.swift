import ArgumentParser
import Foundation
import Logging
import MirsadCore
import MirsadServices

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the dispatcher's queue, workers, throughput and latency.")

    @OptionGroup var dispatcher: DispatcherAddress
    @Flag(help: "Print JSON (fields documented in the README).")
    var json = false
    @Flag(help: "Refresh every second until interrupted.")
    var watch = false
    @Option(help: "Seconds to wait for the dispatcher's answer.")
    var timeout: Double = 3

    func run() async throws {
        let logger = Logger(label: "mirsad.status")
        let (endpoint, json, watch, timeout) = (dispatcher.endpoint, json, watch, Duration.seconds(exactly: timeout))
        let security = try dispatcher.keys.dispatcherSecurity()
        try await ProcessSignals.runBlocking(name: "status", logger: logger) { stop in
            let client = try StatusClient(dispatcherEndpoint: endpoint, security: security)
            repeat {
                let view = try client.fetch(timeout: timeout)
                let text = json ? try JSONOutput.encode(view) + "\n" : view.text
                print(watch && !json ? "\u{1B}[H\u{1B}[2J" + text : text, terminator: "")
                fflush(nil)
                if watch { Thread.sleep(forTimeInterval: 1) }
            } while watch && !stop.isRequested
        }
    }
}
