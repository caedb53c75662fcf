/// The three layers of a role's configuration, lowest first: the file, the environment (`MIRSAD_SECTION_KEY`), the
/// flags. The file and the environment are turned into flags placed before the ones given, so the command line
/// parser sees one command line and the flags given last (the operator's) win.
public enum ConfigurationLayers {
    /// The variable naming the configuration file when `--config` is not given.
    public static let fileVariable = "MIRSAD_CONFIG"

    /// The section a command line (after `mirsad`) reads, and how many of its words name the command.
    public static func section(of arguments: [String]) -> (ConfigurationSection, commandWords: Int)? {
        for section in ConfigurationSection.allCases {
            for command in section.commands where arguments.starts(with: command) {
                return (section, command.count)
            }
        }
        return nil
    }

    /// The environment's values for `section`, checked; a wrong value is a problem naming the variable.
    public static func environmentValues(
        _ section: ConfigurationSection, environment: [String: String]
    ) -> (values: [ConfigurationKey: ConfigurationValue], problems: [ConfigurationProblem]) {
        var values: [ConfigurationKey: ConfigurationValue] = [:]
        var problems: [ConfigurationProblem] = []
        for key in ConfigurationSchema.keys where key.section == section {
            guard let text = environment[key.environmentVariable] else { continue }
            if let wrong = key.kind.problem(text) {
                problems.append(.init(file: "environment", line: 0, column: 0, key: key.environmentVariable, message: wrong))
            } else {
                values[key] = ConfigurationValue(text: text, source: key.environmentVariable)
            }
        }
        return (values, problems)
    }

    /// The flags that stand for `values`, in the schema's order. Empty texts give no flag (the default stays).
    public static func flags(_ values: [ConfigurationKey: ConfigurationValue]) -> [String] {
        var flags: [String] = []
        for key in ConfigurationSchema.keys {
            guard let value = values[key], !value.text.isEmpty else { continue }
            switch key.kind {
            case .boolean:
                if value.text == "true" { flags.append(key.flag) }
            case .seconds:
                let seconds = ConfigurationValueKind.seconds(value.text) ?? 0
                flags += [key.flag, seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)]
            default:
                flags += [key.flag, value.text]
            }
        }
        return flags
    }

    /// The command line with the configuration applied: `--config FILE` (or `$MIRSAD_CONFIG`) taken out, the file's
    /// and the environment's values for the command's section put in as flags right after the command's words.
    /// Commands that read no section come back as they were (less `--config`).
    public static func apply(to arguments: [String], environment: [String: String]) throws(ConfigurationProblems) -> [String] {
        var arguments = arguments
        var file = environment[fileVariable].flatMap { $0.isEmpty ? nil : $0 }
        if let index = arguments.firstIndex(where: { $0 == "--config" || $0.hasPrefix("--config=") }) {
            if arguments[index] == "--config" {
                guard index + 1 < arguments.count else {
                    throw ConfigurationProblems(problems: [.init(file: "command line", line: 0, column: 0, key: "--config", message: "needs a file")])
                }
                file = arguments[index + 1]
                arguments.removeSubrange(index...(index + 1))
            } else {
                file = String(arguments[index].dropFirst("--config=".count))
                arguments.remove(at: index)
            }
        }
        guard let (section, words) = section(of: arguments) else { return arguments }
        var values: [ConfigurationKey: ConfigurationValue] = [:]
        if let file {
            values = try ConfigurationFile(path: file).values.filter { $0.key.section == section }
        }
        let fromEnvironment = environmentValues(section, environment: environment)
        if !fromEnvironment.problems.isEmpty { throw ConfigurationProblems(problems: fromEnvironment.problems) }
        values.merge(fromEnvironment.values) { _, environment in environment }
        return Array(arguments[..<words]) + flags(values) + Array(arguments[words...])
    }
}
