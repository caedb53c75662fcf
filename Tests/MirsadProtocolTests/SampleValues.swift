import ArticleAnalysis
@testable import MirsadCore
@testable import MirsadWire

/// Values shared by the tests: an article and an analysis with every field set.
enum SampleValues {
    static let cleanText = "قال الرئيس محمد إن \"الاتفاق مهم\".\nوأكدت مصادر مطلعة ذلك."

    /// The UTF-8 byte range of `needle`'s first occurrence in `cleanText`.
    static func span(of needle: String) -> TextSpan {
        let text = Array(cleanText.utf8), pattern = Array(needle.utf8)
        for start in 0...(text.count - pattern.count) where Array(text[start..<start + pattern.count]) == pattern {
            return TextSpan(start: start, end: start + pattern.count)
        }
        fatalError("sample text lacks \(needle)")
    }

    static var article: Article {
        Article(
            id: "ant-000042", url: "https://example.org/a/42", source: "example", category: "politics",
            title: "اتفاق جديد", published: "2024-03-01T10:00:00Z", author: nil,
            content: .text(cleanText), inputFlags: [.invalidUTF8Replaced])
    }

    static var analysis: Analysis {
        Analysis(
            language: LanguageGuess(code: "ar", confidence: 0.97),
            title: "اتفاق جديد",
            headings: ["عنوان"],
            cleanText: cleanText,
            removedLines: ["شارك هذا الخبر"],
            normalizedText: "قال الرييس محمد ان \"الاتفاق مهم\".\nواكدت مصادر مطلعه ذلك.",
            sentences: [TextSpan(start: 0, end: span(of: ".").end), span(of: "وأكدت مصادر مطلعة ذلك.")],
            tokens: [
                Token(text: "قال", normalized: "قال", base: "قال", stem: "قال", span: span(of: "قال"), isStopword: false),
                Token(text: "إن", normalized: "ان", base: "ان", stem: "ان", span: span(of: "إن"), isStopword: true),
            ],
            entities: [EntityMention(type: .person, text: "محمد", canonical: "محمد", span: span(of: "محمد"))],
            canonicalEntities: [CanonicalEntity(key: "محمد", type: .person, mentions: 1, variants: ["محمد"])],
            quotes: [Quote(kind: .direct, text: "الاتفاق مهم", speaker: "الرئيس محمد", speakerEntity: "محمد", cue: "قال",
                           span: span(of: "الاتفاق مهم"))],
            sources: [SourceAttribution(kind: .anonymous, text: "مصادر مطلعة", span: span(of: "مصادر مطلعة"))],
            anonymousSourceShare: 1,
            keywords: [Keyword(phrase: "الاتفاق", score: 0.8), Keyword(phrase: "الرئيس", score: 0.5)],
            topics: [TopicScore(topic: "politics", score: 0.9)],
            tone: 0.25,
            summary: ["قال الرئيس محمد إن \"الاتفاق مهم\"."],
            fingerprint: Fingerprint(simhash: 0xDEAD_BEEF_0123_4567, minhash: [1, 2, 4_000_000_000]),
            flags: [.bidiControls, .truncated])
    }

    static func job(batch: String, index: Int, text: String = "نص الخبر", includeTokens: Bool = false) -> Mirsad_V1_Job {
        .with {
            $0.jobID = SubmitValidation.jobID(batchID: batch, index: index)
            $0.batchID = batch
            $0.article = Mirsad_V1_Article(Article(id: "article-\(index)", content: .text(text)))
            $0.options.includeTokens = includeTokens
        }
    }

    static func submit(batch: String, indices: Range<Int>, requestID: String = "r1") -> Mirsad_V1_Submit {
        .with {
            $0.requestID = requestID
            $0.batchID = batch
            $0.jobs = indices.map { job(batch: batch, index: $0) }
        }
    }
}
