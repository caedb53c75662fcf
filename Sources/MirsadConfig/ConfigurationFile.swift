import Foundation
import Yams

/// The configuration file: YAML, one mapping per section, each key a scalar. Keys documented in
/// `Deploy/CONFIGURATION.md`.
///
/// Read with Yams (libyaml), a well-kept library on the machines the project builds on, chosen over TOMLKit
/// (the other one there, a wrapper of C++ toml++) because its node tree keeps each key's and value's line and
/// column, which is what lets every problem be reported as FILE:LINE:COLUMN.
///
/// ```yaml
/// dispatcher:
///   bind: tcp://0.0.0.0:5570
///   lease_timeout: 30s
/// worker:
///   threads: 8
/// ```
///
/// Invariants: reading never stops at the first problem; every problem names the file, line, column and key; a key
/// given twice, an unknown section or key, a value that is not a scalar, or a value of the wrong kind is a problem;
/// a file with problems yields no values (a service never starts on half a configuration).
public struct ConfigurationFile: Sendable {
    public let path: String
    /// Values by key, as written in the file.
    public private(set) var values: [ConfigurationKey: ConfigurationValue] = [:]

    /// Reads and checks the file at `path`.
    public init(path: String) throws(ConfigurationProblems) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationProblems(problems: [
                .init(file: path, line: 0, column: 0, key: "", message: "cannot read: \(error.localizedDescription)")
            ])
        }
        try self.init(text: text, path: path)
    }

    /// Checks `text` as the file at `path` (for messages).
    public init(text: String, path: String) throws(ConfigurationProblems) {
        self.path = path
        var problems: [ConfigurationProblem] = []
        func problem(_ mark: Mark?, _ key: String, _ message: String) {
            problems.append(.init(file: path, line: mark?.line ?? 0, column: mark?.column ?? 0, key: key, message: message))
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigurationProblems(problems: [Self.problem(error, path: path)])
        } catch {
            throw ConfigurationProblems(problems: [.init(file: path, line: 0, column: 0, key: "", message: "\(error)")])
        }
        guard let root else { return }  // an empty file: every default
        guard let sections = root.mapping else {
            problem(root.mark, "", "the file must be a mapping of sections (\(Self.sectionList))")
            throw ConfigurationProblems(problems: problems)
        }
        var seenSections = Set<String>()
        for (sectionNode, body) in sections {
            let name = sectionNode.string ?? ""
            guard let section = ConfigurationSection(rawValue: name) else {
                problem(sectionNode.mark, name, "unknown section; the sections are \(Self.sectionList)")
                continue
            }
            guard seenSections.insert(name).inserted else {
                problem(sectionNode.mark, name, "section given twice")
                continue
            }
            if case .scalar(let scalar) = body, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { continue }  // `web:` alone
            guard let entries = body.mapping else {
                problem(body.mark, name, "a section must be a mapping of keys to values")
                continue
            }
            for (keyNode, valueNode) in entries {
                let keyName = keyNode.string ?? ""
                let path = "\(name).\(keyName)"
                guard let key = ConfigurationSchema.key(section, keyName) else {
                    let known = ConfigurationSchema.keys.filter { $0.section == section }.map(\.name)
                    let hint = known.first { $0.replacingOccurrences(of: "_", with: "-") == keyName || $0 == keyName.lowercased() }
                    problem(keyNode.mark, path, "unknown key\(hint.map { "; did you mean \($0)?" } ?? ""); the keys of \(name) are \(known.joined(separator: ", "))")
                    continue
                }
                guard values[key] == nil else {
                    problem(keyNode.mark, path, "key given twice")
                    continue
                }
                guard case .scalar(let scalar) = valueNode else {
                    problem(valueNode.mark, path, "the value must be a single value, not a list or mapping")
                    continue
                }
                let value = scalar.string
                if let wrong = key.kind.problem(value) {
                    problem(valueNode.mark, path, wrong)
                    continue
                }
                values[key] = ConfigurationValue(
                    text: value, source: path, line: valueNode.mark?.line ?? 0, column: valueNode.mark?.column ?? 0)
            }
        }
        if !problems.isEmpty { throw ConfigurationProblems(problems: problems) }
    }

    static var sectionList: String { ConfigurationSection.allCases.map(\.rawValue).joined(separator: ", ") }

    static func problem(_ error: YamlError, path: String) -> ConfigurationProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let about = context.map { " (\($0.text))" } ?? ""
            return .init(file: path, line: mark.line, column: mark.column, key: "", message: "not valid YAML: \(problem)\(about)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .init(file: path, line: context.mark.line, column: context.mark.column, key: duplicates.joined(separator: ", "),
                         message: "key given twice")
        default:
            return .init(file: path, line: 0, column: 0, key: "", message: "not valid YAML: \(error)")
        }
    }
}
