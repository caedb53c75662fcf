/// Finds direct quotations and reported speech, and who said them.
///
/// Direct quotes are text between paired marks (“ ” « » „ “ and straight quotes) inside one paragraph, of at least
/// 3 words (shorter quoted text is a name or a term: “شينخوا”), or from a mark right after a speech cue to the end
/// of a paragraph that never closes it. Reported speech is a speech verb (or "جاء في" and its speaker), an optional
/// speaker and إن/أن (or "إلى أن") followed by the rest of the sentence; it is not reported separately when that
/// clause holds a direct quote. Quoted text inside a speaker ("شبكة “سي بي إس نيوز”") is a name, not a quote.
///
/// Speaker: the words after the speech verb up to "،", إن/أن (also "إنه", "أنها", "بأنهم"...), a preposition, a time
/// word or a quotation mark (at most 8 words; times such as "لاحقا", "السبت" before it are skipped, and an
/// apposition "، دونالد ترامب،" is kept); when there are none and the verb has no conjunction, the words before
/// it ("مسؤولين يقولون إن"), or after a sentence's opening كان ("وكان X قد قال"); for Latin text also "X said" and
/// "“...”, said X". A relaying verb's speaker follows عن ("نقلت رويترز عن مسؤول قوله إن"); "بحسب X، فإن" speaks
/// like a verb; a quoted name right after the verb is the speaker ("وقالت “هآرتس” إن"); a title is followed by the
/// person named up to 3 words on ("كبير المفاوضين في هذا الملف ميشال بارنييه"). A cue with no speaker words
/// ("وأوضح أن", "مؤكدًا أن", "وقالت") takes the speaker of an earlier cue of its sentence, else a person named
/// earlier in its sentence, else the later of the previous speaker and the last person named outside quotes (see
/// `referent`). A complementizer right after a comma may lie past the usual window, after the speaker's
/// appositions. A speaker written before its verb skips the time words between them and never runs back past a
/// clause opener ("وبعدما"); "أما X فقال" names X. A quotation with no cue is spoken by the words before a colon
/// that opens its sentence ("بومبيو: “...”"), or, when it opens a paragraph, by the speaker quoted within the last
/// two sentences. A speaker is linked to an entity when a recognised mention overlaps it.
enum QuoteFinder {
    static let maxSpeakerWords = 8
    static let ila = WordKey(ArabicNormalizer.normalize("إلى"))
    static let cueWindow = 16
    /// "بعض": a function word that may start a speaker ("وقال بعض المسؤولين").
    static let baad = WordKey("بعض")
    /// "وجاء في البيان: “...”", "جاء في شهادة الطبيبة بأن": جاء/جاءت right before في is a cue whose speaker follows في.
    static let jaa: Set<WordKey> = [WordKey(ArabicNormalizer.normalize("جاء")), WordKey(ArabicNormalizer.normalize("جاءت"))]
    static let fi = WordKey(ArabicNormalizer.normalize("في"))
    static let bilqawl = WordKey("بالقول")
    /// "بحسب صحيفة “هآرتس”، فإن “...”": an attribution that speaks like a verb when إن/أن or a quotation follows its
    /// speaker ("بحسب رويترز." alone is no quote).
    static let according: Set<WordKey> = ["بحسب", "حسب", "وفقا", "وفق"]
    /// "نقلت رويترز عن مسؤول صيني قوله إن": the speaker of a relaying verb is who follows عن.
    static let relaying: Set<WordKey> = ["نقل", "نقلت", "ينقل", "تنقل", "نقلوا"]
    static let an = WordKey("عن")
    /// "وكان X قد قال": a sentence opening with كان names the speaker before قد and the verb.
    static let kana: Set<WordKey> = ["كان", "كانت", "كانوا"]
    static let qad = WordKey("قد")
    static let ma = WordKey("مع")
    static let lam = WordKey("ل")
    static let amma = WordKey("اما")
    static let faa: Unicode.Scalar = "\u{0641}"
    /// A cue whose complementizer follows a comma may reach this far: the speaker's appositions come between
    /// ("وقال أبو بكر الحسن، المتحدث باسم جماعة معارضة ...، لوكالة رويترز، إن").
    static let commaCueWindow = 28
    /// Prepositions a speaker may hold once: written before its verb ("مراسل فرانس 24 في اليمن أفاد بأن"), or
    /// after one of `partitiveHeads` ("وقالت مصادر في الشرطة إن", "ويقول الكثير من منتقدي المسلسل إن").
    static let speakerPrepositions: Set<WordKey> = ["في", "من"]
    /// Words that name a speaker only with what follows them ("مصدر قريب من جهة التحقيق").
    static let partitiveHeads: Set<WordKey> = Set("""
    مصدر مصادر المصدر المصادر مسؤول مسؤولون مسؤولين المسؤول المسؤولون الكثير كثير كثيرون عدد بعض متحدث المتحدث \
    ناطق الناطق عضو اعضاء خبير خبراء مراسل مقربون مقربين
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { WordKey(String($0)) })
    /// Pronoun-suffixed prepositions between a verb and its speaker ("أعلنت فيه الأمم المتحدة أنها", "قال لها
    /// المدرب إن").
    static let pronounPrepositions: Set<WordKey> = ["فيه", "فيها", "له", "لها", "لهم", "لنا", "لي", "عنه", "عنها"]
    /// Head words after which a short quoted text is a name ("شبكة “سي بي إس نيوز” استنادا إلى ..."), whatever follows it.
    static let nameHeads: Set<WordKey> = SourceFinder.outletHeads.union([WordKey(ArabicNormalizer.normalize("منظمة"))])

    struct Cue {
        var index: Int
        var speaker: Range<Int>?
        var complementizer: Int?
        var isParticiple: Bool
        /// Where the scan for the speaker and complementizer stopped: a person named between the speaker and here
        /// is the speaker's name ("كبير مفاوضي الاتحاد الأوروبي في هذا الملف ميشال بارنييه بأن").
        var scanEnd: Int
    }

    /// Who a cue without speaker words refers to, and the sentence where it was last named.
    struct Referent {
        var text: String
        var entity: String?
        var sentence: Int
    }

    static func find(in t: AnalyzedText, entities: [EntityMention]) -> [Quote] {
        var quotes: [Quote] = []
        var lastSpeaker: Referent? = nil
        /// The first person named outside quotes in the latest sentence that names one.
        var lastNamed: Referent? = nil
        let persons = entities.filter { $0.type == .person }
        var personIndex = 0
        let direct = directQuotes(t)
        var directIndex = 0
        var consumedCues = Set<Int>()

        for (sentenceNumber, sentence) in t.sentences.enumerated() where !sentence.isEmpty {
            // Direct quotes opening in this sentence, in order.
            var sentenceDirect: [(open: Int, close: Int, closed: Bool)] = []
            while directIndex < direct.count && direct[directIndex].open < sentence.upperBound {
                if direct[directIndex].open >= sentence.lowerBound { sentenceDirect.append(direct[directIndex]) }
                directIndex += 1
            }
            // Cues of this sentence.
            var cues: [Cue] = []
            for i in sentence where t.forms[i] != nil {
                if let cue = cue(at: i, in: t, sentence: sentence) { cues.append(cue) }
            }
            // A quoted name within a speaker ("وذكرت شبكة “سي بي إس نيوز” استنادا إلى ...، أن") is no quotation.
            sentenceDirect.removeAll { q in cues.contains { $0.speaker?.contains(q.open) ?? false } }
            var events: [(position: Int, quote: Quote, cue: Cue?)] = []
            for q in sentenceDirect {
                // Nearest cue before the opening mark, else a cue right after the closing mark.
                var cue = cues.last { $0.index < q.open }
                if cue == nil {
                    cue = cues.first { $0.index > q.close && $0.index <= q.close + 3 }
                    if cue == nil, let following = cueAfterClosing(q.close, in: t) { cue = following }
                }
                if let c = cue { consumedCues.insert(c.index) }
                let span = TextSpan(start: t.lexemes[q.open].end, end: q.closed ? t.lexemes[q.close].start : t.lexemes[q.close].end)
                let text = t.substring(start: span.start, end: span.end).trimmingSpaces()
                events.append((q.open, Quote(kind: .direct, text: text, speaker: nil, speakerEntity: nil, cue: cue.map { t.texts[$0.index] }, span: span), cue))
            }
            for cue in cues {
                guard let k = cue.complementizer, k + 1 < sentence.upperBound else { continue }
                var end = sentence.upperBound
                while end > k + 1, t.forms[end - 1] == nil { end -= 1 }
                guard end > k + 1 else { continue }
                // A clause that is a direct quote from its first word is that quote; one that quotes only part
                // of itself ("أن اختياره ... بسبب “التهديد ...”", "أن ماكرون “أكد التزامه ...”") is reported
                // speech as well.
                let inner = sentenceDirect.filter { $0.open > k && $0.open < end }
                if consumedCues.contains(cue.index) && inner.isEmpty { continue }
                if inner.contains(where: { q in (k + 1..<q.open).allSatisfy { t.lexemes[$0].kind == .punctuation } }) { continue }
                let span = t.span((k + 1)..<end)
                events.append((k, Quote(kind: .reported, text: t.slice((k + 1)..<end), speaker: nil, speakerEntity: nil, cue: t.texts[cue.index], span: span), cue))
            }
            // Two cues that reach the same clause: the nearer (later) one introduces it.
            var clauseOwner: [Int: Int] = [:]
            for (n, e) in events.enumerated() where e.quote.kind == .reported {
                if let other = clauseOwner[e.quote.span.start], (events[other].cue?.index ?? -1) > (e.cue?.index ?? -1) { continue }
                clauseOwner[e.quote.span.start] = n
            }
            let owners = Set(clauseOwner.values)
            events = events.enumerated().filter { $0.element.quote.kind != .reported || owners.contains($0.offset) }.map(\.element)
            events.sort { $0.position < $1.position }

            // Persons named in this sentence outside its quotes, in text order.
            let sentenceStart = t.lexemes[sentence.lowerBound].start
            let sentenceEnd = t.lexemes[sentence.upperBound - 1].end
            while personIndex < persons.count && persons[personIndex].span.start < sentenceStart { personIndex += 1 }
            var named: [EntityMention] = []
            var k = personIndex
            while k < persons.count && persons[k].span.start < sentenceEnd {
                let p = persons[k]
                if !events.contains(where: { $0.quote.span.start <= p.span.start && p.span.end <= $0.quote.span.end }) {
                    named.append(p)
                }
                k += 1
            }

            let subject = sentenceSubject(sentence, in: t)
            for var e in events {
                var speaker: Referent? = nil
                if let cue = e.cue {
                    if let r = cue.speaker {
                        speaker = referent(r, before: cue.scanEnd, in: t, entities: entities, persons: persons, sentence: sentenceNumber)
                    } else if let earlier = cues.last(where: { $0.index < cue.index && $0.speaker != nil }), let r = earlier.speaker {
                        // An earlier cue of the sentence named the speaker even if it introduced nothing itself
                        // ("وردت وزارة الخارجية على المفوضية معتبرة أنها").
                        speaker = referent(r, before: earlier.scanEnd, in: t, entities: entities, persons: persons, sentence: sentenceNumber)
                    } else {
                        speaker = referent(before: t.lexemes[cue.index].start, sentence: sentenceNumber, named: named,
                                           lastSpeaker: lastSpeaker, lastNamed: lastNamed)
                        // No person named before the cue in its sentence: the subject of a sentence that opens with
                        // its verb ("ورفض متحدث عسكري إسرائيلي التعليق، قائلا") speaks.
                        if let r = subject, r.upperBound < cue.index, speaker?.sentence != sentenceNumber {
                            let span = t.span(r)
                            let entity = entities.first { $0.span.start < span.end && span.start < $0.span.end }
                            speaker = Referent(text: t.slice(r), entity: entity?.canonical, sentence: sentenceNumber)
                        }
                    }
                } else if e.quote.kind == .direct {
                    if let r = headlineSpeaker(beforeQuoteAt: e.position, in: t, sentence: sentence) {
                        // "بومبيو: “العقوبات ستبقى ...”": the words before a colon that opens the sentence.
                        speaker = referent(r, before: r.upperBound, in: t, entities: entities, persons: persons, sentence: sentenceNumber)
                    } else if t.lexemes[e.position].startsParagraph, let last = lastSpeaker, last.sentence >= sentenceNumber - 2 {
                        // A paragraph that opens with a quotation and no cue goes on with the speaker just quoted.
                        speaker = last
                    }
                }
                e.quote.speaker = speaker?.text
                e.quote.speakerEntity = speaker?.entity
                if var speaker {
                    speaker.sentence = sentenceNumber
                    lastSpeaker = speaker
                }
                quotes.append(e.quote)
            }
            if let first = named.first { lastNamed = Referent(text: first.text, entity: first.canonical, sentence: sentenceNumber) }
        }
        return quotes
    }

    /// The speaker words `r` of a cue as a referent, linked to the person or organisation mention overlapping them.
    /// Words that name no person are followed by the first person named before `scanEnd` (a title, then the name).
    static func referent(_ r: Range<Int>, before scanEnd: Int, in t: AnalyzedText, entities: [EntityMention], persons: [EntityMention],
                      sentence: Int) -> Referent {
        let span = t.span(r)
        let overlapping = entities.filter { $0.span.start < span.end && span.start < $0.span.end }
        if !overlapping.contains(where: { $0.type == .person }), scanEnd > r.upperBound, scanEnd <= t.lexemes.count {
            let limit = t.lexemes[scanEnd - 1].end
            if let person = persons.first(where: { $0.span.start >= span.end && $0.span.end <= limit }),
               titleContinues(from: r.upperBound, to: person.span.start, in: t) {
                return Referent(text: t.substring(start: span.start, end: person.span.end), entity: person.canonical, sentence: sentence)
            }
        }
        let entity = overlapping.first { $0.type == .person || $0.type == .organization }
        return Referent(text: t.slice(r), entity: entity?.canonical, sentence: sentence)
    }

    /// The words between a title and a name ("في هذا الملف"): at most 3, none a punctuation mark or "مع" (in
    /// "وزير الخارجية في مؤتمر مع نظيره سيرغي لافروف" the name is not the speaker's).
    static func titleContinues(from first: Int, to nameStart: Int, in t: AnalyzedText) -> Bool {
        var k = first
        while k < t.lexemes.count, t.lexemes[k].start < nameStart {
            guard t.lexemes[k].kind == .word, k - first < 3, t.forms[k]?.normalizedKey != ma else { return false }
            k += 1
        }
        return true
    }

    /// "بومبيو: “...”", "وزير الخارجية الأمريكي: “...”": 1 to 5 words from the sentence's start to a colon right
    /// before the quotation mark at `open`.
    static func headlineSpeaker(beforeQuoteAt open: Int, in t: AnalyzedText, sentence: Range<Int>) -> Range<Int>? {
        let colon = open - 1
        guard colon > sentence.lowerBound, t.punctuation(colon) == 0x3A, colon - sentence.lowerBound <= 5,
              (sentence.lowerBound..<colon).allSatisfy({ t.lexemes[$0].kind == .word && !(t.forms[$0]?.isStopword ?? true) })
        else { return nil }
        return sentence.lowerBound..<colon
    }

    /// "أما رئيس الوزراء الياباني، آبي فقال إنه": the words between أما and a verb written with ف, at most 8.
    static func speakerAfterAmma(_ i: Int, in t: AnalyzedText, sentence: Range<Int>) -> Range<Int>? {
        var k = i - 1
        while k >= sentence.lowerBound, i - k <= 10, t.forms[k]?.normalizedKey != amma { k -= 1 }
        guard k >= sentence.lowerBound, t.forms[k]?.normalizedKey == amma else { return nil }
        var start = k + 1
        var end = i
        while start < end, t.lexemes[start].kind == .punctuation { start += 1 }
        while end > start, t.lexemes[end - 1].kind == .punctuation { end -= 1 }
        let words = (start..<end).filter { t.lexemes[$0].kind != .punctuation }.count
        return words > 0 && words <= maxSpeakerWords ? start..<end : nil
    }

    /// The subject of a sentence that opens with a verb written with و/ف ("ونشر الإعلام الرسمي السوري ..."): the 1
    /// to 4 words after it, up to a function word, a number, a speech verb or a punctuation mark.
    static func sentenceSubject(_ sentence: Range<Int>, in t: AnalyzedText) -> Range<Int>? {
        let first = sentence.lowerBound
        guard let f = t.forms[first], t.lexemes[first].kind == .word, t.lexemes[first].script == .arabic, !f.isStopword,
              f.cueKey != f.normalizedKey, !f.isSpeechVerb, !f.isSpeechParticiple,
              !SpeechCues.arabicSpeakerSkips.contains(f.cueKey) else { return nil }
        var k = first + 1
        while k < sentence.upperBound, k - first <= 4, let g = t.forms[k], t.lexemes[k].kind == .word, !g.isStopword,
              !g.isSpeechVerb, !g.isSpeechParticiple, !SpeechCues.arabicSpeakerStops.contains(g.normalizedKey),
              !SpeechCues.arabicSpeakerSkips.contains(g.normalizedKey) {
            k += 1
        }
        return k > first + 1 ? (first + 1)..<k : nil
    }

    /// The speaker of a cue with no speaker words ("وأضاف أن", "قائلا"): a person named earlier in the same
    /// sentence outside quotes (the subject: "وحذر دومينغو، قائلا"), unless a speaker was already found in this
    /// sentence; else the later of the last speaker and the last person named outside quotes (so "وقالت" after a
    /// sentence about Constand is Constand, while "وأضاف" after the Pentagon's quote naming Mattis stays the
    /// Pentagon).
    static func referent(before position: Int, sentence: Int, named: [EntityMention], lastSpeaker: Referent?, lastNamed: Referent?) -> Referent? {
        if let last = lastSpeaker, last.sentence == sentence { return last }
        if let subject = named.first(where: { $0.span.end <= position }) {
            return Referent(text: subject.text, entity: subject.canonical, sentence: sentence)
        }
        switch (lastSpeaker, lastNamed) {
        case let (speaker?, person?): return person.sentence > speaker.sentence ? person : speaker
        case let (speaker?, nil): return speaker
        case let (nil, person?): return person
        case (nil, nil): return nil
        }
    }

    /// Pairs of quotation-mark lexeme indices (opening, closing) enclosing at least 3 words within one paragraph.
    /// A quotation left open at the end of its paragraph right after a speech cue ("واردف “ لقد قدمنا ... ساعدونا!!")
    /// runs to the paragraph's end: `close` is then its last lexeme, part of the quote unless it is punctuation.
    static func directQuotes(_ t: AnalyzedText) -> [(open: Int, close: Int, closed: Bool)] {
        var out: [(open: Int, close: Int, closed: Bool)] = []
        var open: (index: Int, closer: UInt32)? = nil
        var words = 0
        func closeAtParagraphEnd(_ last: Int) {
            guard let o = open, words >= 3, last > o.index, followsCue(o.index, in: t) else { return }
            var end = last
            while end > o.index + 1, t.lexemes[end].kind == .punctuation, t.lexemes[end - 1].kind == .punctuation { end -= 1 }
            out.append((o.index, end, t.lexemes[end].kind == .punctuation))
        }
        for i in t.lexemes.indices {
            let lx = t.lexemes[i]
            if lx.startsParagraph {
                if i > 0 { closeAtParagraphEnd(i - 1) }
                open = nil
            }
            if lx.kind != .punctuation {
                if open != nil && lx.kind == .word { words += 1 }
                continue
            }
            let p = t.punctuation(i)
            guard SpeechCues.allQuoteMarks.contains(p) else { continue }
            if let o = open, p == o.closer {
                if words >= 3 { out.append((o.index, i, true)) }
                open = nil
            } else if open == nil, let closer = SpeechCues.pairs[p] {
                open = (i, closer)
                words = 0
            }
        }
        if !t.lexemes.isEmpty { closeAtParagraphEnd(t.lexemes.count - 1) }
        return out
    }

    /// The quotation mark at `open` follows a speech verb or participle, or "بالقول", with at most a colon or comma
    /// between.
    static func followsCue(_ open: Int, in t: AnalyzedText) -> Bool {
        var k = open - 1
        if k >= 0, t.lexemes[k].kind == .punctuation, t.punctuation(k) == 0x3A || isComma(k, t) { k -= 1 }
        guard k >= 0, !((k + 1)...open).contains(where: { t.lexemes[$0].startsParagraph }), let f = t.forms[k],
              t.lexemes[k].kind == .word else { return false }
        return f.isSpeechVerb || f.isSpeechParticiple || f.normalizedKey == bilqawl
    }

    /// A speech cue at lexeme `i`, with its speaker words and complementizer if any.
    static func cue(at i: Int, in t: AnalyzedText, sentence: Range<Int>) -> Cue? {
        guard let f = t.forms[i], t.lexemes[i].kind == .word else { return nil }
        if t.lexemes[i].script == .arabic {
            let isJaa = jaa.contains(f.cueKey) && i + 1 < sentence.upperBound && t.forms[i + 1]?.normalizedKey == fi
            let isAccording = according.contains(f.normalizedKey) || according.contains(f.cueKey)
            let isVerb = f.isSpeechVerb
            let isParticiple = f.isSpeechParticiple
            guard isVerb || isParticiple || isJaa || isAccording else { return nil }
            let isRelaying = isVerb && relaying.contains(f.cueKey)
            var cue = Cue(index: i, speaker: nil, complementizer: nil, isParticiple: isParticiple, scanEnd: i + 1)
            var j = isJaa ? i + 2 : i + 1
            var speakerStart: Int? = nil
            var speakerEnd = i + 1
            var speakerDone = isParticiple
            var relayed = false
            var heldPreposition = false
            while j < sentence.upperBound && j <= i + commaCueWindow {
                let n = t.forms[j]?.normalizedKey
                // Another speech verb before the complementizer owns it ("يشير إلى تعليقات X، الذي قال إن"); a
                // quotation right after the cue and its speaker, unless it is the speaker's quoted name, is the cue's
                // own complement ("قالت “نحن نقدر أنهم”"; but "وقالت “هآرتس” إن").
                if let g = t.forms[j], g.isSpeechVerb || g.isSpeechParticiple { break }
                // Past the usual window only a complementizer right after a comma is still this cue's.
                if j > i + cueWindow {
                    guard let n, SpeechCues.arabicComplementizers.contains(n) else {
                        j += 1
                        continue
                    }
                    if !isComma(j - 1, t) { break }
                }
                if let closer = SpeechCues.pairs[t.punctuation(j)],
                   !(i + 1..<j).contains(where: { $0 >= speakerEnd && t.lexemes[$0].kind != .punctuation }),
                   !(!speakerDone && (quotedNameEnd(j, closer: closer, in: t, sentence: sentence) != nil
                        || (speakerStart != nil && headedNameEnd(j, closer: closer, in: t, sentence: sentence) != nil))) {
                    break
                }
                if let n, SpeechCues.arabicComplementizers.contains(n) {
                    cue.complementizer = j
                    break
                }
                if let n, SpeechCues.arabicComplementizerPrepositions.contains(n), j + 1 < sentence.upperBound,
                   let m = t.forms[j + 1]?.normalizedKey, SpeechCues.arabicComplementizers.contains(m) {
                    cue.complementizer = j + 1
                    break
                }
                // "نقلت رويترز عن مسؤول صيني قوله إن": the speaker starts again after عن.
                if isRelaying, !relayed, n == an {
                    relayed = true
                    speakerStart = nil
                    speakerEnd = j + 1
                    speakerDone = false
                    j += 1
                    continue
                }
                if !speakerDone {
                    // Times and manner before the speaker ("قال لاحقا", "وتابع بالقول"), a comma ("وقال، توم"), a
                    // pronoun's preposition ("أعلنت فيه") and the ل of "وفقا لـ".
                    if speakerStart == nil, (n.map { SpeechCues.arabicSpeakerSkips.contains($0) || pronounPrepositions.contains($0) || (isAccording && $0 == lam) }
                        ?? (isComma(j, t) || t.punctuation(j) == 0x23)) {
                        j += 1
                        continue
                    }
                    // "مصادر في الشرطة", "الكثير من منتقدي المسلسل": a partitive head keeps its preposition once.
                    if let start = speakerStart, !heldPreposition, let n, speakerPrepositions.contains(n), j - start <= 2,
                       t.forms[start].map({ partitiveHeads.contains($0.normalizedKey) }) == true, j + 1 < sentence.upperBound,
                       let next = t.forms[j + 1], t.lexemes[j + 1].kind == .word, !next.isStopword {
                        heldPreposition = true
                        speakerEnd = j + 1
                        j += 1
                        continue
                    }
                    // A hashtag's words ("#الجيش_الإسرائيلي") and a quoted name ("منظمة “أطباء بلا حدود” إن",
                    // "وقالت “هآرتس” إن") belong to the speaker.
                    if speakerStart != nil, t.punctuation(j) == 0x5F, j + 1 < sentence.upperBound, t.lexemes[j + 1].kind == .word {
                        speakerEnd = j + 2
                        j += 2
                        continue
                    }
                    if let closer = SpeechCues.pairs[t.punctuation(j)],
                       let close = quotedNameEnd(j, closer: closer, in: t, sentence: sentence)
                        ?? (speakerStart != nil ? headedNameEnd(j, closer: closer, in: t, sentence: sentence) : nil) {
                        if speakerStart == nil {
                            speakerStart = j + 1
                            speakerEnd = close
                        } else {
                            speakerEnd = close + 1
                        }
                        j = close + 1
                        continue
                    }
                    // A function word cannot start a speaker ("وأضاف كانت “...”").
                    if t.forms[j] == nil || (n.map { SpeechCues.arabicSpeakerStops.contains($0) || SpeechCues.arabicSpeakerSkips.contains($0) } ?? true)
                        || (speakerStart == nil && t.forms[j]!.isStopword && t.forms[j]!.normalizedKey != QuoteFinder.baad)
                        || j - (speakerStart ?? j) >= maxSpeakerWords
                        || (t.lexemes[j].kind == .word && t.lexemes[j].script != .arabic && t.lexemes[j].script != .latin) {
                        speakerDone = true
                        // An apposition: "الرئيس الأمريكي، دونالد ترامب، إن".
                        if speakerStart != nil, isComma(j, t), let end = appositionEnd(afterComma: j, in: t, sentence: sentence) {
                            speakerEnd = end
                            j = end
                            continue
                        }
                    } else {
                        if speakerStart == nil { speakerStart = j }
                        speakerEnd = j + 1
                    }
                }
                j += 1
            }
            cue.scanEnd = min(j, sentence.upperBound)
            // "جاء في" and "بحسب" speak only when a quotation or إن/أن follows their speaker ("جاء في المرتبة الثانية"
            // does not).
            if isJaa || isAccording, speakerStart == nil || (cue.complementizer == nil
                && !(j < sentence.upperBound && SpeechCues.allQuoteMarks.contains(t.punctuation(j)))) {
                return nil
            }
            if let start = speakerStart {
                cue.speaker = start..<speakerEnd
            } else if isVerb, f.cueKey == f.normalizedKey {
                // A verb without a conjunction and no speaker after it: the speaker may come first ("مسؤولين يقولون إن"),
                // before a relative pronoun ("كيم كي جوان، الذي قال"), or after a sentence's opening كان ("وكان X قد قال").
                if i - 1 >= sentence.lowerBound, let g = t.forms[i - 1], SpeechCues.arabicRelativePronouns.contains(g.normalizedKey) {
                    var k = i - 2
                    if k >= sentence.lowerBound, isComma(k, t) { k -= 1 }
                    if k >= sentence.lowerBound { cue.speaker = speakerBefore(k + 1, in: t, sentence: sentence) }
                } else {
                    cue.speaker = speakerBefore(i, in: t, sentence: sentence) ?? subjectAfterKana(i, in: t, sentence: sentence)
                }
            } else if isVerb, f.normalized.unicodeScalars.first == faa {
                cue.speaker = speakerAfterAmma(i, in: t, sentence: sentence)
            }
            return cue
        }
        // Latin: "X said", "said X".
        guard SpeechCues.latinVerbs.contains(f.normalizedKey) else { return nil }
        var cue = Cue(index: i, speaker: nil, complementizer: nil, isParticiple: false, scanEnd: i + 1)
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

    /// The closing mark of a quoted name of at most 6 words opening at `open`, when the complementizer (or a comma
    /// then the complementizer) follows it.
    static func quotedNameEnd(_ open: Int, closer: UInt32, in t: AnalyzedText, sentence: Range<Int>) -> Int? {
        var k = open + 1
        while k < sentence.upperBound, k - open <= 7, t.punctuation(k) != closer { k += 1 }
        guard k < sentence.upperBound, t.punctuation(k) == closer, k > open + 1, k + 1 < sentence.upperBound else { return nil }
        var next = k + 1
        if isComma(next, t) { next += 1 }
        guard next < sentence.upperBound, let f = t.forms[next], SpeechCues.arabicComplementizers.contains(f.normalizedKey) else { return nil }
        return k
    }

    /// The closing mark of a quoted name of at most 6 words opening at `open` right after an outlet or organisation
    /// head word ("شبكة “سي بي إس نيوز”", "منظمة “أطباء بلا حدود”").
    static func headedNameEnd(_ open: Int, closer: UInt32, in t: AnalyzedText, sentence: Range<Int>) -> Int? {
        guard open - 1 >= sentence.lowerBound, let head = t.forms[open - 1],
              nameHeads.contains(head.normalizedKey) || head.strippedKey.map({ nameHeads.contains($0) }) == true else { return nil }
        var k = open + 1
        while k < sentence.upperBound, k - open <= 7, t.punctuation(k) != closer { k += 1 }
        guard k < sentence.upperBound, t.punctuation(k) == closer, k > open + 1 else { return nil }
        return k
    }

    static func isComma(_ j: Int, _ t: AnalyzedText) -> Bool {
        let p = t.punctuation(j)
        return p == 0x060C || p == 0x2C
    }

    /// After a speaker and the comma at `comma`, the end of an apposition of at most 4 words that a comma or the
    /// complementizer closes ("، دونالد ترامب، إن"); nil when what follows is not one.
    static func appositionEnd(afterComma comma: Int, in t: AnalyzedText, sentence: Range<Int>) -> Int? {
        var k = comma + 1
        while k < sentence.upperBound, k - comma <= 4, let f = t.forms[k], t.lexemes[k].kind == .word,
              !SpeechCues.arabicSpeakerStops.contains(f.normalizedKey), !SpeechCues.arabicComplementizers.contains(f.normalizedKey) {
            k += 1
        }
        guard k > comma + 1, k < sentence.upperBound else { return nil }
        if let f = t.forms[k], SpeechCues.arabicComplementizers.contains(f.normalizedKey) { return k }
        if isComma(k, t), k + 1 < sentence.upperBound, let g = t.forms[k + 1], SpeechCues.arabicComplementizers.contains(g.normalizedKey) {
            return k
        }
        return nil
    }

    /// In a sentence opening with كان ("وكان المرصد السوري، ومقره بريطانيا، قالوا الجمعة، إن", "وكان مدير عام الأمن
    /// العام، عباس إبراهيم، قد قال"), the words after كان up to the first comma or قد, at most 8, with an apposition
    /// of at most 4 words closed by a comma right before قد or the verb.
    static func subjectAfterKana(_ i: Int, in t: AnalyzedText, sentence: Range<Int>) -> Range<Int>? {
        let first = sentence.lowerBound
        guard let f = t.forms[first], kana.contains(f.cueKey), i - first <= 20 else { return nil }
        var k = first + 1
        while k < i, t.lexemes[k].kind != .punctuation, k - first <= maxSpeakerWords,
              let g = t.forms[k], g.normalizedKey != qad, !g.isStopword || k > first + 1 {
            k += 1
        }
        guard k > first + 1 else { return nil }
        var end = k
        if k < i, isComma(k, t) {
            var m = k + 1
            while m < i, t.lexemes[m].kind == .word, m - k <= 4 { m += 1 }
            var next = m + 1
            if next < i, t.forms[next]?.normalizedKey == qad { next += 1 }
            if m > k + 1, m < i, isComma(m, t), next == i { end = m }
        }
        return (first + 1)..<end
    }

    /// The words right before a speech verb that name its speaker ("مراسل “العربية” قال", "الشركة حذرت"): back to
    /// a function word, a punctuation mark other than a quotation mark, or the sentence start; at most 6 words.
    static func speakerBefore(_ i: Int, in t: AnalyzedText, sentence: Range<Int>) -> Range<Int>? {
        var k = i - 1
        // Time words between the speaker and its verb ("بيانا في نوفمبر/تشرين الثاني ذكر بأن").
        var skippedTime = false
        func isMonthOrdinal(_ k: Int) -> Bool {
            k > sentence.lowerBound && t.forms[k].map { SpeechCues.arabicMonthOrdinals.contains($0.normalizedKey) } == true
                && t.forms[k - 1].map { SpeechCues.arabicMonths.contains($0.normalizedKey) } == true
        }
        while k >= sentence.lowerBound, t.lexemes[k].kind == .number || t.punctuation(k) == 0x2F || isMonthOrdinal(k)
                || t.forms[k].map({ SpeechCues.arabicSpeakerSkips.contains($0.normalizedKey) || SpeechCues.arabicMonths.contains($0.normalizedKey) }) == true {
            skippedTime = true
            k -= 1
        }
        if skippedTime, k >= sentence.lowerBound, t.forms[k]?.normalizedKey == fi { k -= 1 }
        let verbEnd = k + 1
        var words = 0
        var crossedPreposition = false
        while k >= sentence.lowerBound {
            if t.lexemes[k].kind == .punctuation {
                guard SpeechCues.allQuoteMarks.contains(t.punctuation(k)) else { break }
                k -= 1
                continue
            }
            // One preposition between two words of the speaker, and a number after a word ("مراسل فرانس 24 في
            // اليمن أفاد").
            let isNumber = t.lexemes[k].kind == .number
            let isPreposition = !crossedPreposition && t.forms[k].map { speakerPrepositions.contains($0.normalizedKey) } == true
            if words > 0, isNumber || isPreposition, k - 1 >= sentence.lowerBound, t.lexemes[k - 1].kind != .punctuation,
               let g = t.forms[k - 1], !g.isStopword, !g.isSpeechVerb, !SpeechCues.arabicComplementizers.contains(g.normalizedKey) {
                crossedPreposition = crossedPreposition || isPreposition
                words += 1
                k -= 1
                continue
            }
            guard let f = t.forms[k], t.lexemes[k].kind == .word, !f.isStopword, !f.isSpeechVerb, !f.isSpeechParticiple,
                  !SpeechCues.arabicComplementizers.contains(f.normalizedKey), !SpeechCues.arabicSpeakerSkips.contains(f.normalizedKey),
                  !SpeechCues.arabicClauseOpeners.contains(f.cueKey)
            else { break }
            words += 1
            if words > 6 { return nil }
            k -= 1
        }
        var start = k + 1
        var end = verbEnd
        while start < end, t.lexemes[start].kind == .punctuation { start += 1 }
        while end > start, t.lexemes[end - 1].kind == .punctuation, !SpeechCues.allQuoteMarks.contains(t.punctuation(end - 1)) { end -= 1 }
        return start < end ? start..<end : nil
    }

    static func isCapitalized(_ word: String) -> Bool {
        guard let first = word.unicodeScalars.first else { return false }
        return first.properties.isUppercase
    }
}
