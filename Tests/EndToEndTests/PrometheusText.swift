import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The Prometheus text exposition format (0.0.4), parsed strictly enough to catch what a scraper would refuse: every
/// sample belongs to a family declared by `# TYPE`, names and label names are valid, label values are quoted and
/// escaped, values are numbers, counters end in `_total`, histograms have `_bucket` (with `le`, ending at `+Inf`),
/// `_sum` and `_count`, with the `+Inf` bucket equal to the count.
struct PrometheusText {
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var types: [String: String] = [:]
    var samples: [Sample] = []

    init(_ text: String) throws {
        func fail(_ line: Int, _ message: String) -> TestFailure {
            TestFailure(description: "exposition line \(line): \(message)")
        }
        let name = /[a-zA-Z_:][a-zA-Z0-9_:]*/
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3)
                if parts.count >= 4, parts[1] == "TYPE" {
                    guard (try? name.wholeMatch(in: String(parts[2]))) != nil else { throw fail(number, "bad family name \(parts[2])") }
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[3])) else {
                        throw fail(number, "unknown type \(parts[3])")
                    }
                    guard types[String(parts[2])] == nil else { throw fail(number, "family \(parts[2]) declared twice") }
                    types[String(parts[2])] = String(parts[3])
                }
                continue
            }
            var rest = Substring(line)
            guard let match = rest.prefixMatch(of: name) else { throw fail(number, "no metric name in '\(line)'") }
            let metric = String(match.output)
            rest = rest[match.range.upperBound...]
            var labels: [String: String] = [:]
            if rest.first == "{" {
                rest = rest.dropFirst()
                while rest.first != "}" {
                    guard let labelMatch = rest.prefixMatch(of: /[a-zA-Z_][a-zA-Z0-9_]*="/) else { throw fail(number, "bad label in '\(line)'") }
                    let label = String(labelMatch.output.dropLast(2))
                    rest = rest[labelMatch.range.upperBound...]
                    var value = ""
                    while let character = rest.first, character != "\"" {
                        rest = rest.dropFirst()
                        if character == "\\" {
                            guard let escaped = rest.first else { throw fail(number, "unterminated escape") }
                            rest = rest.dropFirst()
                            switch escaped {
                            case "n": value.append("\n")
                            case "\\", "\"": value.append(escaped)
                            default: throw fail(number, "bad escape \\\(escaped)")
                            }
                        } else {
                            value.append(character)
                        }
                    }
                    guard rest.first == "\"" else { throw fail(number, "unterminated label value") }
                    rest = rest.dropFirst()
                    guard labels.updateValue(value, forKey: label) == nil else { throw fail(number, "label \(label) twice") }
                    if rest.first == "," { rest = rest.dropFirst() }
                }
                rest = rest.dropFirst()
            }
            guard rest.first == " " else { throw fail(number, "no value in '\(line)'") }
            let fields = rest.dropFirst().split(separator: " ")
            guard let valueText = fields.first, fields.count <= 2 else { throw fail(number, "bad value in '\(line)'") }
            let value: Double
            switch valueText {
            case "+Inf": value = .infinity
            case "-Inf": value = -.infinity
            case "NaN": value = .nan
            default:
                guard let parsed = Double(valueText) else { throw fail(number, "'\(valueText)' is not a number") }
                value = parsed
            }
            let family = family(of: metric)
            guard let type = types[family] else { throw fail(number, "\(metric) has no # TYPE") }
            if type == "counter", !metric.hasSuffix("_total") { throw fail(number, "counter \(metric) does not end in _total") }
            if type == "histogram", metric.hasSuffix("_bucket"), labels["le"] == nil { throw fail(number, "bucket without le") }
            samples.append(Sample(name: metric, labels: labels, value: value))
        }
        for (family, type) in types where type == "histogram" {
            for count in samples where count.name == family + "_count" {
                let infinity = samples.first {
                    $0.name == family + "_bucket" && $0.labels["le"] == "+Inf"
                        && $0.labels.filter { $0.key != "le" } == count.labels
                }
                guard let infinity, infinity.value == count.value else {
                    throw TestFailure(description: "\(family): the +Inf bucket is not the count \(count.value)")
                }
            }
        }
    }

    private func family(of metric: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where metric.hasSuffix(suffix) {
            let base = String(metric.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return metric
    }

    /// The value of `name` with exactly `labels`; nil when absent.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The samples of `name`, whatever their labels.
    func all(_ name: String) -> [Sample] { samples.filter { $0.name == name } }
}

/// GET over real HTTP; the body and the Content-Type.
func httpGet(_ url: String) async throws -> (body: String, contentType: String, status: Int) {
    let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
    let http = response as? HTTPURLResponse
    return (String(decoding: data, as: UTF8.self), http?.value(forHTTPHeaderField: "Content-Type") ?? "", http?.statusCode ?? 0)
}
