import ArgumentParser
import MirsadCore
import MirsadServices

/// `--commit-window`, shared by the dispatcher and the collector: how long messages arriving after a commit wait to
/// share the next one (see `DispatcherService.Configuration.commitWindow`).
struct CommitWindowOption: ParsableArguments {
    @Option(name: .customLong("commit-window"), help: ArgumentHelp(
        "Seconds that messages arriving right after a commit wait to share the next one (0 to 1). Under a steady load it bounds commits, each a log write and an fsync, to one a window, and adds up to that much latency; a message after a quiet spell is committed at once.",
        valueName: "seconds"))
    var seconds: Double = Defaults.commitWindow.inSeconds

    func validate() throws {
        guard seconds.isFinite, (0...1).contains(seconds) else {
            throw ValidationError("--commit-window must be between 0 and 1 second, got \(seconds)")
        }
    }

    var window: Duration { .seconds(exactly: seconds) }
}
