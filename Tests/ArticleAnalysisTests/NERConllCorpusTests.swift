import Testing
@testable import ArticleAnalysis
import TestSupport

@Suite(.offTheCooperativePool) struct NERConllCorpusTests {
    @Test func readsSentencesSeparatedByBlankLines() throws {
        let text = "فرانكفورت B-LOC\n(د O\n\nبرند B-PERS\r\nجوتشولك\tI-PERS\n\n\n"
        let sentences = try ConllCorpus.parse(text)
        #expect(sentences.count == 2)
        #expect(sentences[0].tokens == ["فرانكفورت", "(د"])
        #expect(sentences[0].tags == [.begin(.location), .outside])
        #expect(sentences[1].tokens == ["برند", "جوتشولك"])
        #expect(sentences[1].tags == [.begin(.person), .inside(.person)])
    }

    @Test func namesTheLineOfATokenWithoutTag() {
        #expect(throws: ConllFormatError.self) { try ConllCorpus.parse("a O\nb\n") }
        do {
            _ = try ConllCorpus.parse("a O\n\nb O\nlonely\n")
        } catch {
            #expect(error.line == 4)
            #expect(error.description.contains("line 4"))
        }
    }

    @Test func namesTheLineOfAnUnknownTag() {
        do {
            _ = try ConllCorpus.parse("a O\nb B-PER\n")
            Issue.record("an unknown tag was accepted")
        } catch {
            #expect(error.line == 2)
            #expect(error.reason.contains("B-PER"))
        }
    }

    @Test func formatAndParseRoundTrip() throws {
        let sentences = [
            TaggedSentence(tokens: ["x", "y"], tags: [.begin(.organization), .inside(.organization)]),
            TaggedSentence(tokens: ["z"], tags: [.begin(.miscellaneous)]),
        ]
        #expect(try ConllCorpus.parse(ConllCorpus.format(sentences)) == sentences)
    }

    @Test func devSplitIsEveryNthSentence() {
        let sentences = (0..<25).map { TaggedSentence(tokens: ["t\($0)"], tags: [.outside]) }
        let (train, dev) = ConllCorpus.split(sentences, devFraction: 0.1)
        #expect(dev.map(\.tokens[0]) == ["t9", "t19"])
        #expect(train.count == 23)
        #expect(ConllCorpus.split(sentences, devFraction: 0).dev.isEmpty)
    }

    @Test func positionSplitKeepsContiguousRunsInFileOrder() {
        let sentences = (0..<60).map { TaggedSentence(tokens: ["t\($0)"], tags: [.outside]) }
        let (train, dev) = ConllCorpus.split(sentences, devTail: 1.0 / 6, heldOutTail: 1.0 / 6)
        #expect(train.map(\.tokens[0]) == (0..<40).map { "t\($0)" })
        #expect(dev.map(\.tokens[0]) == (40..<50).map { "t\($0)" })
        let final = ConllCorpus.split(sentences, devTail: 1.0 / 6)
        #expect(final.train.count == 50)
        #expect(final.dev.map(\.tokens[0]) == (50..<60).map { "t\($0)" })
        #expect(ConllCorpus.split(sentences, devTail: 0).train == sentences)
    }

    @Test func tagsParseAndPrint() {
        for tag in NERTag.all { #expect(NERTag(tag.description) == tag) }
        #expect(NERTag("B-") == nil)
        #expect(NERTag("X-LOC") == nil)
        #expect(NERTag.all.count == 9)
    }
}
