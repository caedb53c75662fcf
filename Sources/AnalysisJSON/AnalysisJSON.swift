import ArticleAnalysis

/// `Analysis` as JSON, written field by field: the same bytes as Foundation's `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes` (a test holds the two together), several times faster.
///
/// Keys are written in sorted (byte) order; optional fields that are nil are left out, as synthesized `Codable`
/// does. A field added to `Analysis` must be added here too: the equality test fails until it is.
public enum AnalysisJSON {
    /// One line of `mirsad analyze --json`: `{"analysis":{...},"id":...,"source":...,"url":...}`.
    public static func appendArticleLine(id: String, source: String?, url: String?, analysis: Analysis, to json: inout JSONBuffer) {
        json.beginObject()
        json.key("analysis"); append(analysis, to: &json)
        json.key("id"); json.string(id)
        if let source { json.key("source"); json.string(source) }
        if let url { json.key("url"); json.string(url) }
        json.endObject()
    }

    public static func append(_ a: Analysis, to json: inout JSONBuffer) {
        json.beginObject()
        json.key("anonymousSourceShare"); json.double(a.anonymousSourceShare)
        json.key("canonicalEntities"); json.beginArray()
        for e in a.canonicalEntities {
            json.beginObject()
            json.key("key"); json.string(e.key)
            json.key("mentions"); json.int(e.mentions)
            json.key("name"); json.string(e.name)
            json.key("type"); json.string(e.type.rawValue)
            json.key("variants"); strings(e.variants, to: &json)
            json.endObject()
        }
        json.endArray()
        json.key("cleanText"); json.string(a.cleanText)
        json.key("entities"); json.beginArray()
        for m in a.entities {
            json.beginObject()
            json.key("canonical"); json.string(m.canonical)
            json.key("span"); span(m.span, to: &json)
            json.key("text"); json.string(m.text)
            json.key("type"); json.string(m.type.rawValue)
            json.endObject()
        }
        json.endArray()
        json.key("fingerprint"); json.beginObject()
        json.key("minhash"); json.beginArray()
        for v in a.fingerprint.minhash { json.int(v) }
        json.endArray()
        json.key("simhash"); json.int(a.fingerprint.simhash)
        json.endObject()
        json.key("flags"); json.beginArray()
        for f in a.flags { json.string(f.rawValue) }
        json.endArray()
        json.key("headings"); strings(a.headings, to: &json)
        json.key("keywords"); json.beginArray()
        for k in a.keywords {
            json.beginObject()
            json.key("phrase"); json.string(k.phrase)
            json.key("score"); json.double(k.score)
            json.endObject()
        }
        json.endArray()
        json.key("language"); json.beginObject()
        json.key("code"); json.string(a.language.code)
        json.key("confidence"); json.double(a.language.confidence)
        json.endObject()
        json.key("normalizedText"); json.string(a.normalizedText)
        json.key("quotes"); json.beginArray()
        for q in a.quotes {
            json.beginObject()
            if let cue = q.cue { json.key("cue"); json.string(cue) }
            json.key("kind"); json.string(q.kind.rawValue)
            json.key("span"); span(q.span, to: &json)
            if let speaker = q.speaker { json.key("speaker"); json.string(speaker) }
            if let entity = q.speakerEntity { json.key("speakerEntity"); json.string(entity) }
            json.key("text"); json.string(q.text)
            json.endObject()
        }
        json.endArray()
        json.key("removedLines"); strings(a.removedLines, to: &json)
        json.key("sentences"); json.beginArray()
        for s in a.sentences { span(s, to: &json) }
        json.endArray()
        json.key("sources"); json.beginArray()
        for s in a.sources {
            json.beginObject()
            json.key("kind"); json.string(s.kind.rawValue)
            json.key("span"); span(s.span, to: &json)
            json.key("text"); json.string(s.text)
            json.endObject()
        }
        json.endArray()
        json.key("summary"); strings(a.summary, to: &json)
        if let title = a.title { json.key("title"); json.string(title) }
        json.key("tokens"); json.beginArray()
        for t in a.tokens {
            json.beginObject()
            json.key("base"); json.string(t.base)
            json.key("isStopword"); json.bool(t.isStopword)
            json.key("normalized"); json.string(t.normalized)
            json.key("span"); span(t.span, to: &json)
            json.key("stem"); json.string(t.stem)
            json.key("text"); json.string(t.text)
            json.endObject()
        }
        json.endArray()
        json.key("tone"); json.double(a.tone)
        json.key("topics"); json.beginArray()
        for t in a.topics {
            json.beginObject()
            json.key("score"); json.double(t.score)
            json.key("topic"); json.string(t.topic)
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }

    static func span(_ s: TextSpan, to json: inout JSONBuffer) {
        json.beginObject()
        json.key("end"); json.int(s.end)
        json.key("start"); json.int(s.start)
        json.endObject()
    }

    static func strings(_ values: [String], to json: inout JSONBuffer) {
        json.beginArray()
        for v in values { json.string(v) }
        json.endArray()
    }
}
