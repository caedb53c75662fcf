import ArgumentParser
import Foundation
import MirsadConfig

/// `mirsad config check FILE`: the configuration file checked against every key's kind; each problem printed as
/// `FILE:LINE:COLUMN: KEY: what is wrong`, exit 1 when there is any. `mirsad config keys` lists every key.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file, or list every key with its default.",
        discussion: """
            Every role reads one YAML file, given as --config FILE to any command (or $\(ConfigurationLayers.fileVariable)), \
            with a section per role (dispatcher, worker, collector, web, client); environment variables \
            MIRSAD_SECTION_KEY override the file, and flags override both. Keys: Deploy/CONFIGURATION.md.
            """,
        subcommands: [Check.self, Keys.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Check a configuration file and the MIRSAD_... environment; exit 1 and say what is wrong where.")

        @Argument(help: "The configuration file (YAML).")
        var file: String

        func run() throws {
            var problems: [ConfigurationProblem] = []
            var keys = 0
            do {
                keys = try ConfigurationFile(path: file).values.count
            } catch {
                problems += error.problems
            }
            let environment = ProcessInfo.processInfo.environment
            for section in ConfigurationSection.allCases {
                problems += ConfigurationLayers.environmentValues(section, environment: environment).problems
            }
            guard problems.isEmpty else {
                for problem in problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
                FileHandle.standardError.write(Data("\(file): \(problems.count) problem\(problems.count == 1 ? "" : "s")\n".utf8))
                throw ExitCode(1)
            }
            print("\(file): ok (\(keys) key\(keys == 1 ? "" : "s") set)")
        }
    }

    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "keys", abstract: "List every key, its flag, its variable and its default.")

        func run() {
            for key in ConfigurationSchema.keys {
                let fallback = key.defaultText.isEmpty ? "(none)" : key.defaultText
                print("\(key.path)\t\(key.flag)\t\(key.environmentVariable)\tdefault: \(fallback)\t\(key.help)")
            }
        }
    }
}
