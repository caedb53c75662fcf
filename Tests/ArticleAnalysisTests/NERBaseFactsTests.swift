import Testing
@testable import ArticleAnalysis
import TestSupport

/// The merged table must answer exactly as the three lookups it replaces, for every base any of them lists and for
/// bases none lists: a difference would change features and so the recognizer's output.
@Suite(.offTheCooperativePool) struct NERBaseFactsTests {
    @Test func bundledTablesAnswerAsTheirThreeSources() throws {
        let lexicon = try EntityRecognizer.bundledLexicon()
        let clusters = try EntityRecognizer.bundledClusters()
        let nameLists = try EntityRecognizer.bundledNameLists()
        let facts = NERBaseFacts(lexicon: lexicon, clusters: clusters, nameLists: nameLists)
        var hashes = Set(lexicon.codes.keys)
        hashes.formUnion(clusters.codes.keys)
        hashes.formUnion(nameLists.codes.keys)
        #expect(hashes.count > 10_000)
        var mismatches = 0
        for hash in hashes {
            let f = facts.facts(ofBaseHash: hash)
            if f.lexicon != lexicon.code(ofBaseHash: hash) || f.cluster != clusters.code(ofBaseHash: hash)
                || f.nameLists != nameLists.code(ofBaseHash: hash)
            {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
        // Bases listed nowhere, including hashes next to listed ones (they share home slots).
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let hash = UInt64.random(in: .min ... .max, using: &generator)
            guard !hashes.contains(hash) else { continue }
            #expect(facts.facts(ofBaseHash: hash) == .unlisted)
        }
        for hash in hashes.prefix(2_000) where !hashes.contains(hash &+ 1) {
            #expect(facts.facts(ofBaseHash: hash &+ 1) == .unlisted)
        }
    }

    @Test func emptySourcesListNothing() {
        let facts = NERBaseFacts(lexicon: NERLexicon(), clusters: NERWordClusters(), nameLists: NERNameLists())
        #expect(facts.facts(ofBaseHash: FeatureHash.of("بوتين")) == .unlisted)
        #expect(facts.facts(ofBaseHash: 0) == .unlisted)
    }
}
