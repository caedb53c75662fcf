import Foundation

/// The fuzz target without libFuzzer: replays inputs, or writes the seed corpus.
enum FuzzReplay {
    static func main(_ arguments: [String]) {
        if arguments.first == "--seed-corpus", arguments.count == 3 {
            do {
                let written = try writeSeedCorpus(fixtures: arguments[1], into: arguments[2])
                print("\(written) seed inputs in \(arguments[2])")
            } catch {
                FileHandle.standardError.write(Data("mirsad-fuzz: \(error)\n".utf8))
                exit(1)
            }
            return
        }
        guard !arguments.isEmpty else {
            print("usage: mirsad-fuzz FILE-OR-DIRECTORY... | --seed-corpus FIXTURES-DIR CORPUS-DIR")
            exit(2)
        }
        var count = 0
        for path in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                data.withUnsafeBytes { FuzzTarget.run($0) }
                count += 1
            }
        }
        print("\(count) inputs replayed, no property failed")
    }

    /// One input per golden message (sent by each kind of peer), and a few sessions in sequence: a worker's HELLO
    /// then its DONE, a SUBMIT then a STATUS.
    static func writeSeedCorpus(fixtures: String, into corpus: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        var golden: [String: [[UInt8]]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: fixtures) where name.hasSuffix(".bin") {
            let stem = String(name.dropLast(4))
            let body = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name))
            let text = try String(contentsOfFile: fixtures + "/" + stem + ".txt", encoding: .utf8)
            guard let open = text.range(of: "(0x"), let byte = UInt8(text[open.upperBound...].prefix(2), radix: 16) else { continue }
            golden[stem] = [Array("MRSD1".utf8), [byte], Array(body)]
        }
        var inputs: [String: [FuzzInput.Message]] = [:]
        for (name, frames) in golden {
            for sender in UInt8(0)..<4 { inputs["\(name)-\(sender)"] = [.init(sender: sender, frames: frames)] }
        }
        let sequences: [String: [(UInt8, String)]] = [
            "session-worker": [(0, "hello-worker"), (2, "submit"), (0, "heartbeat-worker"), (0, "done"), (1, "hello-collector"), (1, "stored"), (2, "status")],
            "session-replaced": [(0, "hello-worker"), (2, "submit"), (3, "hello-worker-replacing"), (0, "done-permanent"), (2, "batch-status")],
            "dead-letters": [(2, "submit"), (0, "hello-worker"), (0, "done-permanent"), (2, "dead-letters"), (2, "retry-dead-letters-all")],
        ]
        for (name, steps) in sequences {
            inputs[name] = steps.compactMap { step in golden[step.1].map { .init(sender: step.0, frames: $0) } }
        }
        for (name, messages) in inputs {
            try Data(FuzzInput.encode(messages)).write(to: URL(fileURLWithPath: corpus + "/" + name))
        }
        return inputs.count
    }
}
