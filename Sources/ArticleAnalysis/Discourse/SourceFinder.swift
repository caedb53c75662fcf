/// Finds who the article attributes information to: named agencies and outlets, and anonymous sources.
///
/// Named: a gazetteer of agencies and outlets (matched on normalised words, a one-letter proclitic allowed on the
/// first), and "وكالة الأنباء" + its adjectives when no gazetteer name follows it. Anonymous: an indefinite head
/// noun (مصادر, مسؤولون, مراقبون, خبراء, وسائل إعلام, ...) with up to 3 indefinite adjectives ("مصادر مصرية مطلعة");
/// a head without adjectives counts only for plural people (مراقبون, مسؤولون, ...) not followed by a definite noun.
/// Definite forms ("المصادر") refer back to a source already counted and are skipped. English and French: plural
/// heads ("sources", "officials", "responsables") near an attribution word.
enum SourceFinder {
    static let namedArabic: [[String]] = """
    شينخوا|رويترز|فرانس برس|وكالة فرانس برس|أسوشيتد برس|اسوشيتد برس|أسوشييتد برس|الأناضول|وكالة الأناضول|سبوتنيك|\
    بلومبرغ|بلومبيرغ|سي إن إن|بي بي سي|سكاي نيوز|فرانس 24|واس|وفا|سانا|إرنا|ايرنا|تاس|نوفوستي|ريا نوفوستي|\
    د ب أ|يونايتد برس|كونا|وام|نيويورك تايمز|واشنطن بوست|وول ستريت جورنال|الغارديان|فايننشال تايمز|هآرتس|\
    يديعوت أحرونوت|تايمز أوف إسرائيل|أكسيوس|إنترفاكس|كيودو|يونهاب|أسوشيتدبرس
    """.split(separator: "|").map { $0.split(separator: " ").map { ArabicNormalizer.normalize(String($0)) } }
    static let namedLatin: [[String]] = """
    reuters|afp|ap|xinhua|cnn|bbc|bloomberg|associated press|agence france-presse|france 24|al jazeera|sky news|\
    new york times|washington post|wall street journal|the guardian|financial times|axios|tass|ria novosti|\
    anadolu|dpa|interfax|kyodo|yonhap|sputnik
    """.split(separator: "|").map { $0.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init) }

    /// Named sources by first word.
    static let namedByFirst: [WordKey: [[WordKey]]] = {
        var d: [WordKey: [[WordKey]]] = [:]
        for name in (namedArabic + namedLatin).map({ $0.map { WordKey($0) } }) { d[name[0], default: []].append(name) }
        for k in d.keys { d[k]!.sort { $0.count > $1.count } }
        return d
    }()

    static let agencyHead: [WordKey] = ["وكاله", "الانباء"]

    /// Words that introduce an outlet by name: "شبكة “سي بي إس نيوز”", "مراسل “العربية”", "صحيفة لو باريزيان".
    static let outletHeads: Set<WordKey> = ["صحيفه", "جريده", "مجله", "شبكه", "قناه", "موقع", "وكاله", "مراسل", "مراسله", "اذاعه", "تلفزيون"]
    /// Heads whose name may follow without quotation marks (others are common nouns too: "موقع عسكري", "قناة السويس").
    static let unquotedOutletHeads: Set<WordKey> = ["صحيفه", "جريده", "مجله"]

    /// Every word that can start a named or anonymous source; other words are skipped at once.
    static let firstWords: Set<WordKey> = Set(namedByFirst.keys).union(anonymousHeadsArabic.map { $0[0] })
        .union([agencyHead[0]]).union(anonymousLatin).union(outletHeads)

    static let anonymousHeadsArabic: [[WordKey]] = ([
        ["وسائل", "اعلام"], ["مصادر"], ["مصدر"], ["مسؤولون"], ["مسؤول"], ["مراقبون"], ["خبراء"], ["محللون"], ["شهود"],
        ["دبلوماسيون"], ["مقربون"], ["اوساط"], ["تقارير"], ["ناشطون"], ["مسؤولين"],
    ] as [[String]]).map { $0.map { WordKey(ArabicNormalizer.normalize($0)) } }
    /// Heads that name people, counted without adjectives.
    static let pluralPeople: Set<WordKey> = ["مسؤولون", "مراقبون", "خبراء", "محللون", "شهود", "دبلوماسيون", "مقربون", "ناشطون"]
    /// Heads that are attributions only in the nominative; the oblique forms are objects ("مع مسؤولين مصريين").
    static let obliqueHeads: Set<WordKey> = ["مسؤولين"]
    static let adjectiveEndings: [String] = ["يه", "ي", "ون", "ين", "يون", "يين", "ه"]
    static let adjectives: Set<WordKey> = ["مطلع", "مطلعه", "مطلعون", "رفيع", "رفيعه", "مقرب", "مقربه", "موثوق", "موثوقه", "عليم", "عليمه", "بارز", "بارزه", "كبار", "غربيون"]

    static let anonymousLatin: Set<WordKey> = [
        "sources", "officials", "analysts", "observers", "experts", "witnesses", "diplomats", "responsables",
        "observateurs", "analystes", "témoins", "diplomates", "médias",
    ]
    static let latinAttributionWords: Set<WordKey> = ["said", "say", "told", "says", "according", "citing", "quoting", "selon", "ont", "affirment", "indiquent", "familiar", "close", "proches", "cited"]

    static func find(in t: AnalyzedText) -> [SourceAttribution] {
        var out: [SourceAttribution] = []
        var i = 0
        let n = t.lexemes.count
        while i < n {
            guard let f = t.forms[i], f.mayStartSource else { i += 1; continue }
            if let (length, start) = namedMatch(at: i, in: t) {
                let span = TextSpan(start: t.lexemes[i].start + start, end: t.lexemes[i + length - 1].end)
                out.append(SourceAttribution(kind: .named, text: t.substring(start: span.start, end: span.end), span: span))
                i += length
                continue
            }
            if let (length, skip) = agencyMatch(at: i, in: t) {
                let span = t.span(i..<(i + length))
                let adjusted = TextSpan(start: span.start + skip, end: span.end)
                out.append(SourceAttribution(kind: .named, text: t.substring(start: adjusted.start, end: adjusted.end), span: adjusted))
                i += length
                continue
            }
            if let name = outletMatch(at: i, in: t) {
                let span = t.span(name)
                out.append(SourceAttribution(kind: .named, text: t.slice(name), span: span))
                i = name.upperBound
                continue
            }
            if t.lexemes[i].script == .arabic, let (length, skip) = anonymousArabicMatch(at: i, in: t) {
                let whole = t.span(i..<(i + length))
                let span = TextSpan(start: whole.start + skip, end: whole.end)
                out.append(SourceAttribution(kind: .anonymous, text: t.substring(start: span.start, end: span.end), span: span))
                i += length
                continue
            }
            if t.lexemes[i].script == .latin, anonymousLatin.contains(f.normalizedKey), let range = anonymousLatinMatch(at: i, in: t) {
                let span = t.span(range)
                out.append(SourceAttribution(kind: .anonymous, text: t.slice(range), span: span))
                i = range.upperBound
                continue
            }
            i += 1
        }
        return out
    }

    /// The normalised word at `i` and, when it starts with a one-letter proclitic, the word without it.
    static func candidates(_ i: Int, _ t: AnalyzedText) -> Candidates {
        guard let f = t.forms[i] else { return Candidates(whole: nil, stripped: nil) }
        return Candidates(whole: f.normalizedKey, stripped: t.lexemes[i].script == .arabic ? f.strippedKey : nil)
    }

    /// The word's key, and its key without a one-letter proclitic (whose 2 bytes a match then skips).
    struct Candidates {
        var whole: WordKey?
        var stripped: WordKey?
        /// The two keys with their skips, without allocating.
        var pairs: (WordKey?, WordKey?) { (whole, stripped) }
        func forEach(_ body: (WordKey, Int) -> Bool) -> Bool {
            if let w = whole, body(w, 0) { return true }
            if let s = stripped, body(s, 2) { return true }
            return false
        }
        func first(where match: (WordKey) -> Bool) -> Int? {
            if let w = whole, match(w) { return 0 }
            if let s = stripped, match(s) { return 2 }
            return nil
        }
    }

    /// A gazetteer name starting at `i`: its length in lexemes and the byte offset of its start within the word.
    static func namedMatch(at i: Int, in t: AnalyzedText) -> (Int, Int)? {
        var result: (Int, Int)? = nil
        _ = candidates(i, t).forEach { first, skip in
            guard let names = namedByFirst[first] else { return false }
            for name in names {
                var k = 1
                while k < name.count, i + k < t.lexemes.count, t.forms[i + k]?.normalizedKey == name[k] { k += 1 }
                if k == name.count {
                    if name.count == 1 && name[0].text.utf8.count <= 3 && t.lexemes[i].script == .latin && t.texts[i] != t.texts[i].uppercased() { continue }
                    result = (k, skip)
                    return true
                }
            }
            return false
        }
        return result
    }

    /// "وكالة الأنباء" + adjectives, when no gazetteer name follows within 3 lexemes.
    static func agencyMatch(at i: Int, in t: AnalyzedText) -> (Int, Int)? {
        guard i + 1 < t.lexemes.count, let skip = candidates(i, t).first(where: { $0 == agencyHead[0] }),
              t.forms[i + 1]?.normalizedKey == agencyHead[1] else { return nil }
        var j = i + 2
        while j < t.lexemes.count, j < i + 5, let f = t.forms[j], f.hasArticle, isAdjective(f) { j += 1 }
        for k in j..<min(t.lexemes.count, j + 3) where namedMatch(at: k, in: t) != nil { return nil }
        return (j - i, skip)
    }

    /// An outlet named after a head word at `i` (a one-letter proclitic allowed: "لصحيفة"): the lexemes of its name.
    /// A quoted name of at most 6 lexemes after any head; after a newspaper or magazine head, also 1 to 3 words that
    /// are not function words, speech verbs or a lone indefinite adjective ("صحيفة محلية"); Latin words after any head.
    static func outletMatch(at i: Int, in t: AnalyzedText) -> Range<Int>? {
        guard t.lexemes[i].script == .arabic, i + 1 < t.lexemes.count,
              let head = candidates(i, t).first(where: { outletHeads.contains($0) }).map({ _ in t.forms[i]! }) else { return nil }
        let j = i + 1
        if let closer = SpeechCues.pairs[t.punctuation(j)] {
            var k = j + 1
            while k < t.lexemes.count, k - j <= 6, t.punctuation(k) != closer, !t.lexemes[k].startsParagraph { k += 1 }
            guard k < t.lexemes.count, t.punctuation(k) == closer, k > j + 1,
                  (j + 1..<k).contains(where: { t.lexemes[$0].kind == .word }) else { return nil }
            return (j + 1)..<k
        }
        let unquoted = unquotedOutletHeads.contains(head.strippedKey ?? head.normalizedKey) || unquotedOutletHeads.contains(head.normalizedKey)
        var k = j
        while k < t.lexemes.count, k - j < 3, let f = t.forms[k], t.lexemes[k].kind == .word, !t.lexemes[k].startsParagraph {
            let script = t.lexemes[k].script
            if script == .latin {
                k += 1
                continue
            }
            guard unquoted, script == .arabic, !f.isStopword, !f.isSpeechVerb, !f.isSpeechParticiple,
                  !SpeechCues.arabicComplementizers.contains(f.normalizedKey), !SpeechCues.arabicSpeakerSkips.contains(f.normalizedKey)
            else { break }
            if k == j && !f.hasArticle && isAdjective(f) { return nil }
            k += 1
        }
        return k > j ? j..<k : nil
    }

    static func isAdjective(_ f: WordForms) -> Bool {
        adjectives.contains(f.normalizedKey) || adjectiveEndings.contains { f.normalized.utf8.count > $0.utf8.count && f.normalized.utf8.reversed().starts(with: $0.utf8.reversed()) }
    }

    /// An anonymous source at `i`: its length in lexemes and the bytes of proclitic to leave out of its span.
    static func anonymousArabicMatch(at i: Int, in t: AnalyzedText) -> (Int, Int)? {
        var result: (Int, Int)? = nil
        _ = candidates(i, t).forEach { first, skip in
            for head in anonymousHeadsArabic where head[0] == first {
                var k = 1
                while k < head.count, i + k < t.lexemes.count, t.forms[i + k]?.normalizedKey == head[k] { k += 1 }
                guard k == head.count else { continue }
                if obliqueHeads.contains(head[0]) { return true }
                var j = i + k
                while j < t.lexemes.count, j < i + k + 3, let f = t.forms[j], t.lexemes[j].kind == .word, !f.hasArticle,
                      !f.isStopword, isAdjective(f) {
                    j += 1
                }
                if j > i + k { result = (j - i, skip); return true }
                if head.count > 1 || !pluralPeople.contains(head[0]) { return true }
                if i + k < t.lexemes.count, let next = t.forms[i + k], next.hasArticle { return true }
                result = (k, skip)
                return true
            }
            return false
        }
        return result
    }

    static func anonymousLatinMatch(at i: Int, in t: AnalyzedText) -> Range<Int>? {
        let lower = max(0, i - 3)
        let upper = min(t.lexemes.count, i + 4)
        let near = (lower..<upper).contains { k in t.forms[k].map { latinAttributionWords.contains($0.normalizedKey) } ?? false }
        guard near else { return nil }
        var start = i
        if t.language.code == "en" {
            while start > lower, let f = t.forms[start - 1], t.lexemes[start - 1].kind == .word, !f.isStopword, !latinAttributionWords.contains(f.normalizedKey) { start -= 1 }
            return start..<(i + 1)
        }
        var end = i + 1
        while end < upper, let f = t.forms[end], t.lexemes[end].kind == .word, !f.isStopword, !latinAttributionWords.contains(f.normalizedKey), end - i <= 2 { end += 1 }
        return start..<end
    }
}
