import ArticleAnalysis
import CZstd
import Foundation
import MirsadWire
import Testing

/// `Zstd` with the bundled dictionary: frames name the dictionary, decompress to exactly their stated size, and
/// anything else (another dictionary, a wrong size, damage, not zstd at all) is refused with a reason.
@Suite struct ZstdTests {
    static func dictionary() throws -> Zstd.Dictionary { try Zstd.bundled.get() }

    /// The encoded analysis of a real news article, as a worker compresses it (no tokens, no normalised text):
    /// the first France 24 article of `Samples/ant-sample.jsonl`, an outlet the dictionary was not trained on.
    static func sample() throws -> Data {
        let lines = try String(contentsOf: samplesFile(), encoding: .utf8).split(separator: "\n")
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let fields = try #require(objects.lazy.compactMap { $0 }.first { $0["source"] as? String == "france24" })
        let article = Article(
            id: "sample", title: fields["title"] as? String, content: .text(try #require(fields["text"] as? String)))
        let analysis = ArticleAnalyzer().analyze(article)
        return try Mirsad_V1_Analysis(analysis, includeTokens: false, includeNormalizedText: false).serializedData()
    }

    @Test func theBundledDictionaryLoadsAndFramesNameIt() throws {
        let dictionary = try Self.dictionary()
        #expect(dictionary.id != 0)
        let frame = dictionary.compress(try Self.sample())
        #expect(Zstd.isFrame(frame))
        #expect(Zstd.dictionaryID(ofFrame: frame) == dictionary.id)
        #expect(!Zstd.isFrame(Zlib.compress(try Self.sample())), "a zlib stream never starts as a zstd frame")
    }

    @Test func roundTripsAndBeatsDeflate() throws {
        let dictionary = try Self.dictionary()
        let sample = try Self.sample()
        let frame = dictionary.compress(sample)
        #expect(try dictionary.decompress(frame, size: sample.count) == sample)
        #expect(frame.count < Zlib.compress(sample).count, "the dictionary holds what an article's analysis repeats")
        #expect(try dictionary.decompress(dictionary.compress(Data()), size: 0) == Data())
    }

    @Test func libzstdReadsTheFrameWithTheDictionaryFile() throws {
        // What a client in another language does: the dictionary file and any zstd library.
        let sample = try Self.sample()
        let frame = try Self.dictionary().compress(sample)
        let bytes = try Data(contentsOf: Self.repositoryFile("Sources/MirsadWire/Resources/analysis.zdict"))
        var out = Data(count: sample.count)
        let produced = out.withUnsafeMutableBytes { o in
            frame.withUnsafeBytes { f in
                bytes.withUnsafeBytes { d in
                    let context = ZSTD_createDCtx()
                    defer { ZSTD_freeDCtx(context) }
                    return ZSTD_decompress_usingDict(context, o.baseAddress, sample.count, f.baseAddress, frame.count, d.baseAddress, d.count)
                }
            }
        }
        #expect(ZSTD_isError(produced) == 0 && produced == sample.count)
        #expect(out == sample)
    }

    /// Every dictionary a build compressed with before stays readable: frames made with a retired one (as a store
    /// keeps them, or an older worker or collector sends them) decompress by the id they name, and the files in
    /// `Resources/retired/` are named by the id in their header, none of them the bundled one's.
    @Test func framesOfRetiredDictionariesStayReadable() throws {
        let bundled = try Self.dictionary()
        let directory = Self.repositoryFile("Sources/MirsadWire/Resources/retired")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".zdict") }
        #expect(!files.isEmpty, "the dictionary of schema v14's analyses (1907241483) is retired, not deleted")
        #expect(Set(Zstd.retired.keys).count == files.count)
        let sample = try Self.sample()
        for file in files {
            let retired = try Zstd.Dictionary(bytes: try Data(contentsOf: directory.appendingPathComponent(file)))
            #expect(file == "analysis-\(retired.id).zdict")
            #expect(retired.id != bundled.id)
            let loaded = try #require(Zstd.dictionary(id: retired.id), "\(file) is not in the resource bundle")
            let frame = retired.compress(sample)
            #expect(Zstd.dictionaryID(ofFrame: frame) == retired.id)
            #expect(try CompressedAnalysis.decompress(frame, size: sample.count) == sample)
            #expect(throws: Zstd.Failure.self) { try loaded.decompress(bundled.compress(sample), size: sample.count) }
        }
        #expect(try CompressedAnalysis.decompress(bundled.compress(sample), size: sample.count) == sample)
        // A dictionary no build shipped is refused by its id.
        let other = try Zstd.Dictionary(bytes: try Zstd.trainDictionary(samples: Self.otherSamples(), capacity: 4_096))
        #expect(Zstd.dictionary(id: other.id) == nil)
        let error = try #require(throws: Zstd.Failure.self) {
            try CompressedAnalysis.decompress(other.compress(sample), size: sample.count)
        }
        #expect(error.reason.contains("dictionary \(other.id)"))
    }

    /// The id of every dictionary a commit of main shipped as `Resources/analysis.zdict` (from `git log --
    /// Sources/MirsadWire/Resources/analysis.zdict`), oldest first. A store may hold frames of any of them. A
    /// retraining adds the id it replaces here and its file to `Resources/retired/`.
    static let everyShippedDictionaryID: [UInt32] = [
        1_907_241_483, 792_940_047, 1_601_868_624, 1_647_743_194, 11_520_746, 1_545_530_025,
    ]

    @Test func everyDictionaryEverShippedIsKept() throws {
        for id in Self.everyShippedDictionaryID {
            #expect(Zstd.dictionary(id: id) != nil, "dictionary \(id) was shipped, so stores may name it; retire it, never drop it")
        }
    }

    @Test func refusesWhatIsNotAFrameOfItsDictionaryAndSize() throws {
        let dictionary = try Self.dictionary()
        let sample = try Self.sample()
        let frame = dictionary.compress(sample)
        #expect(throws: Zstd.Failure.self) { try dictionary.decompress(frame, size: sample.count - 1) }
        #expect(throws: Zstd.Failure.self) { try dictionary.decompress(frame, size: sample.count + 1) }
        #expect(throws: Zstd.Failure.self) { try dictionary.decompress(Data("not zstd".utf8), size: 8) }
        #expect(throws: Zstd.Failure.self) { try dictionary.decompress(frame, size: 1 << 40, limit: 1 << 20) }
        var damaged = frame
        damaged[damaged.count / 2] ^= 0xFF
        #expect(throws: Zstd.Failure.self) { try dictionary.decompress(damaged, size: sample.count) }

        // A frame made with another dictionary names it, and is refused by name.
        let other = try Zstd.Dictionary(bytes: try Zstd.trainDictionary(samples: Self.otherSamples(), capacity: 4_096))
        #expect(other.id != dictionary.id)
        let foreign = other.compress(sample)
        let error = try #require(throws: Zstd.Failure.self) { try dictionary.decompress(foreign, size: sample.count) }
        #expect(error.reason.contains("dictionary \(other.id)"))
    }

    @Test func trainingIsDeterministic() throws {
        let samples = Self.otherSamples()
        #expect(try Zstd.trainDictionary(samples: samples, capacity: 4_096) == Zstd.trainDictionary(samples: samples, capacity: 4_096))
        #expect(throws: Zstd.Failure.self) { try Zstd.Dictionary(bytes: Data("no dictionary".utf8)) }
    }

    /// Small varied documents, enough for zstd's trainer.
    static func otherSamples() -> [Data] {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
        return (0..<400).map { _ in
            var text = ""
            for _ in 0..<60 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += words[Int(state >> 33) % words.count] + " "
            }
            return Data(text.utf8)
        }
    }

    static func samplesFile() -> URL { repositoryFile("Samples/ant-sample.jsonl") }

    static func repositoryFile(_ path: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(path)
    }
}
