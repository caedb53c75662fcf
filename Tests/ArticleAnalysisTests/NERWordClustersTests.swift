import Foundation
import Testing
@testable import ArticleAnalysis
import TestSupport

@Suite(.offTheCooperativePool) struct NERWordClustersTests {
    /// Two word families that never share a neighbour: names between "قال" and "إن", places between "في" and
    /// "أمس"; each family must end up in one class at depth 1, apart from the other.
    static let text: String = {
        let names = ["زياد", "مروان", "هشام", "سامر", "رامي", "فادي", "ناصر", "عادل"]
        let places = ["طرابلس", "صيدا", "حمص", "حلب", "إربد", "نابلس", "جنين", "صور"]
        var lines: [String] = []
        for round in 0..<12 {
            for (i, name) in names.enumerated() {
                lines.append("قال \(name) إن الحكومة ستعقد اجتماعا في \(places[(i + round) % places.count]) أمس")
            }
        }
        return lines.joined(separator: "\n")
    }()

    static let settings = NERWordClusters.Builder.Settings(
        vocabulary: 100, minimumCount: 2, contexts: 20, dimensions: 16, iterations: 5, seed: 3)

    func build() -> String {
        var builder = NERWordClusters.Builder()
        builder.add(text: Self.text)
        return builder.text(settings: Self.settings)
    }

    @Test func wordsWithTheSameNeighboursShareAClass() throws {
        let text = build()
        var paths: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t")
            paths[String(f[0])] = String(f[1])
        }
        func top(_ word: String) throws -> Character { try #require(paths[word]?.first, "\(word) has no class") }
        let names = try ["زياد", "مروان", "هشام", "سامر"].map(top)
        let places = try ["طرابلس", "صيدا", "حمص", "حلب"].map(top)
        #expect(Set(names).count == 1)
        #expect(Set(places).count == 1)
        #expect(names[0] != places[0])
    }

    @Test func buildingIsDeterministicAndTheTextLoads() throws {
        let a = build()
        #expect(a == build())
        let clusters = try NERWordClusters(text: a)
        #expect(clusters.count == a.split(separator: "\n").count)
        var scratch: [Unicode.Scalar] = []
        // A clitic-attached form finds the class of its base.
        let atoms = NERTokenAtoms(token: "وزياد", scratch: &scratch)
        #expect(clusters.code(ofBaseHash: atoms.base) != NERWordClusters.unknown)
        #expect(clusters.code(ofBaseHash: FeatureHash.of("غير موجود")) == NERWordClusters.unknown)
    }

    @Test func prefixesNestAndUnknownStaysZero() throws {
        let clusters = try NERWordClusters(text: "حلب\t3a7\n")
        let code = clusters.code(ofBaseHash: FeatureHash.of("حلب"))
        #expect(NERWordClusters.prefix(code, depth: 3) & 0xfff == 0x3a7)
        #expect(NERWordClusters.prefix(code, depth: 2) & 0xff == 0x3a)
        #expect(NERWordClusters.prefix(code, depth: 1) & 0xf == 0x3)
        #expect(NERWordClusters.prefix(NERWordClusters.unknown, depth: 1) == 0)
        #expect(NERWordClusters.prefix(code, depth: 1) != 0)
    }

    /// "لسوريا" keeps its preposition in the clitic split; the corpus lookups may use the form without it.
    @Test func aLeadingPrepositionIsOfferedForLookups() {
        var scratch: [Unicode.Scalar] = []
        #expect(NERTokenAtoms(token: "لسوريا", scratch: &scratch).strippedBase == FeatureHash.of("سوريا"))
        #expect(NERTokenAtoms(token: "ببغداد", scratch: &scratch).strippedBase == FeatureHash.of("بغداد"))
        #expect(NERTokenAtoms(token: "بلد", scratch: &scratch).strippedBase == 0)
        #expect(NERTokenAtoms(token: "مصر", scratch: &scratch).strippedBase == 0)
    }

    @Test func badLinesAreRefusedWithTheirNumber() {
        do {
            _ = try NERWordClusters(text: "حلب\t3a7\nحمص\t3a\n")
            Issue.record("a two-digit path was accepted")
        } catch {
            #expect(error.line == 2)
        }
        #expect(throws: NERWordClusters.FormatError.self) { try NERWordClusters(text: "حلب\txyz\n") }
    }
}
