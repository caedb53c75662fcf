/// Finds direct quotations and reported speech, and who said them.
///
/// Direct quotes are text between paired marks (“ ” « » „ “ and straight quotes) inside one paragraph, of at least
/// 3 words (shorter quoted text is a name or a term: “شينخوا”). Reported speech is a speech verb, an optional
/// speaker and إن/أن (or "إلى أن") followed by the rest of the sentence; it is not reported separately when that
/// clause holds a direct quote.
///
/// Speaker: the words after the speech verb up to "،", إن/أن, a preposition or a quotation mark (at most 8
/// words); for Latin text also "X said" and "“...”, said X". A cue with no speaker words ("وأوضح أن", "مؤكدًا أن")
/// refers to the previous quote's speaker. A speaker is linked to an entity when a recognised mention overlaps it.
enum QuoteFinder {
    static let maxSpeakerWords = 8
    static let ila = WordKey(ArabicNormalizer.normalize("إلى"))
    static let cueWindow = 16

    struct Cue {
        var index: Int
        var speaker: Range<Int>?
        var complementizer: Int?
        var isParticiple: Bool
    }

    static func find(in t: AnalyzedText, sentenceOf: [Int], entities: [EntityMention]) -> [Quote] {
        var quotes: [Quote] = []
        var lastSpeaker: (text: String, entity: String?)? = nil
        let direct = directQuotes(t)
        var directIndex = 0
        var consumedCues = Set<Int>()

        func resolve(_ cue: Cue?) -> (String?, String?) {
            guard let cue else { return (nil, nil) }
            if let r = cue.speaker {
                let span = t.span(r)
                let text = t.slice(r)
                let entity = entities.first { $0.span.start < span.end && span.start < $0.span.end && ($0.type == .person || $0.type == .organization) }
                return (text, entity?.canonical)
            }
            return (lastSpeaker?.text, lastSpeaker?.entity)
        }

        for (s, sentence) in t.sentences.enumerated() {
            _ = s
            // Direct quotes opening in this sentence, in order.
            var sentenceDirect: [(open: Int, close: Int)] = []
            while directIndex < direct.count && direct[directIndex].open < sentence.upperBound {
                if direct[directIndex].open >= sentence.lowerBound { sentenceDirect.append(direct[directIndex]) }
                directIndex += 1
            }
            // Cues of this sentence.
            var cues: [Cue] = []
            for i in sentence where t.forms[i] != nil {
                if let cue = cue(at: i, in: t, sentence: sentence) { cues.append(cue) }
            }
            var events: [(position: Int, quote: Quote, cue: Cue?)] = []
            for q in sentenceDirect {
                // Nearest cue before the opening mark, else a cue right after the closing mark.
                var cue = cues.last { $0.index < q.open }
                if cue == nil {
                    cue = cues.first { $0.index > q.close && $0.index <= q.close + 3 }
                    if cue == nil, let following = cueAfterClosing(q.close, in: t) { cue = following }
                }
                if let c = cue { consumedCues.insert(c.index) }
                let span = TextSpan(start: t.lexemes[q.open].end, end: t.lexemes[q.close].start)
                let text = t.substring(start: span.start, end: span.end).trimmingSpaces()
                events.append((q.open, Quote(kind: .direct, text: text, speaker: nil, speakerEntity: nil, cue: cue.map { t.texts[$0.index] }, span: span), cue))
            }
            for cue in cues where !consumedCues.contains(cue.index) {
                guard let k = cue.complementizer, k + 1 < sentence.upperBound else { continue }
                var end = sentence.upperBound
                while end > k + 1, t.forms[end - 1] == nil { end -= 1 }
                guard end > k + 1 else { continue }
                if sentenceDirect.contains(where: { $0.open > k && $0.open < end }) { continue }
                let span = t.span((k + 1)..<end)
                events.append((k, Quote(kind: .reported, text: t.slice((k + 1)..<end), speaker: nil, speakerEntity: nil, cue: t.texts[cue.index], span: span), cue))
            }
            events.sort { $0.position < $1.position }
            for var e in events {
                let (speaker, entity) = resolve(e.cue)
                e.quote.speaker = speaker
                e.quote.speakerEntity = entity
                if let speaker { lastSpeaker = (speaker, entity) }
                quotes.append(e.quote)
            }
        }
        return quotes
    }

    /// Pairs of quotation-mark lexeme indices (opening, closing) enclosing at least 3 words within one paragraph.
    static func directQuotes(_ t: AnalyzedText) -> [(open: Int, close: Int)] {
        var out: [(open: Int, close: Int)] = []
        var open: (index: Int, closer: UInt32)? = nil
        var words = 0
        for i in t.lexemes.indices {
            let lx = t.lexemes[i]
            if lx.startsParagraph { open = nil }
            if lx.kind != .punctuation {
                if open != nil && lx.kind == .word { words += 1 }
                continue
            }
            let p = t.punctuation(i)
            guard SpeechCues.allQuoteMarks.contains(p) else { continue }
            if let o = open, p == o.closer {
                if words >= 3 { out.append((o.index, i)) }
                open = nil
            } else if open == nil, let closer = SpeechCues.pairs[p] {
                open = (i, closer)
                words = 0
            }
        }
        return out
    }

    /// A speech cue at lexeme `i`, with its speaker words and complementizer if any.
    static func cue(at i: Int, in t: AnalyzedText, sentence: Range<Int>) -> Cue? {
        guard let f = t.forms[i], t.lexemes[i].kind == .word else { return nil }
        if t.lexemes[i].script == .arabic {
            let isVerb = f.isSpeechVerb
            let isParticiple = f.isSpeechParticiple
            guard isVerb || isParticiple else { return nil }
            var cue = Cue(index: i, speaker: nil, complementizer: nil, isParticiple: isParticiple)
            var j = i + 1
            var speakerEnd = i + 1
            var speakerDone = isParticiple
            while j < sentence.upperBound && j <= i + cueWindow {
                let n = t.forms[j]?.normalizedKey
                if let n, SpeechCues.arabicComplementizers.contains(n) {
                    cue.complementizer = j
                    break
                }
                if let n, n == QuoteFinder.ila, j + 1 < sentence.upperBound, let m = t.forms[j + 1]?.normalizedKey, SpeechCues.arabicComplementizers.contains(m) {
                    cue.complementizer = j + 1
                    break
                }
                if !speakerDone {
                    if t.forms[j] == nil || (n.map { SpeechCues.arabicSpeakerStops.contains($0) } ?? true) || j - (i + 1) >= maxSpeakerWords
                        || (t.lexemes[j].kind == .word && t.lexemes[j].script != .arabic && t.lexemes[j].script != .latin) {
                        speakerDone = true
                    } else {
                        speakerEnd = j + 1
                    }
                }
                j += 1
            }
            if speakerEnd > i + 1 { cue.speaker = (i + 1)..<speakerEnd }
            return cue
        }
        // Latin: "X said", "said X".
        guard SpeechCues.latinVerbs.contains(f.normalizedKey) else { return nil }
        var cue = Cue(index: i, speaker: nil, complementizer: nil, isParticiple: false)
        // Capitalised words right before the verb (skipping "has", "a").
        var k = i - 1
        while k >= sentence.lowerBound, let g = t.forms[k], g.normalized == "a" || g.normalized == "has" || g.normalized == "have" { k -= 1 }
        let runEnd = k + 1
        var start = runEnd
        while start - 1 >= sentence.lowerBound, t.lexemes[start - 1].kind == .word, isCapitalized(t.texts[start - 1]),
              runEnd - start < maxSpeakerWords {
            start -= 1
        }
        if start < runEnd { cue.speaker = start..<runEnd }
        if cue.speaker == nil {
            var j = i + 1
            while j < sentence.upperBound, t.lexemes[j].kind == .word, j - (i + 1) < maxSpeakerWords,
                  !SpeechCues.latinSpeakerStops.contains(t.forms[j]!.normalizedKey) {
                j += 1
            }
            if j > i + 1 { cue.speaker = (i + 1)..<j }
        }
        if i + 1 < sentence.upperBound, let n = t.forms[i + 1]?.normalized, n == "that" || n == "que" || n == "qu" {
            cue.complementizer = i + 1
        }
        return cue
    }

    /// "“...”، قال X" / "“...”, said X": a cue within 3 lexemes after the closing mark (the next sentence may
    /// hold it when the closing mark ended the sentence).
    static func cueAfterClosing(_ close: Int, in t: AnalyzedText) -> Cue? {
        var j = close + 1
        while j < t.lexemes.count && j <= close + 3 {
            if t.lexemes[j].startsParagraph { return nil }
            let end = min(t.lexemes.count, j + cueWindow)
            if let c = cue(at: j, in: t, sentence: j..<end), c.speaker != nil { return c }
            j += 1
        }
        return nil
    }

    static func isCapitalized(_ word: String) -> Bool {
        guard let first = word.unicodeScalars.first else { return false }
        return first.properties.isUppercase
    }
}
