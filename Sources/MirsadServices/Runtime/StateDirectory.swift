import Foundation

/// The directory where services keep their files when not told otherwise (the dispatcher's job journal, the
/// collector's report store), independent of the working directory a service manager starts them in:
/// `$STATE_DIRECTORY` when set (systemd's `StateDirectory=`; the first of several), else `$XDG_STATE_HOME/mirsad`,
/// else `~/.local/state/mirsad`.
public enum StateDirectory {
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let given = environment["STATE_DIRECTORY"], let first = given.split(separator: ":").first, !first.isEmpty {
            return String(first)
        }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            return xdg + "/mirsad"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/mirsad"
    }

    /// `name` inside the state directory, the directory created if missing (as the services expect their file's
    /// directory to exist).
    public static func file(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let directory = path(environment: environment)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory + "/" + name
    }
}
