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
