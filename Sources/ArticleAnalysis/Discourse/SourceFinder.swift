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
    static let namedByFirst: [String: [[String]]] = {
        var d: [String: [[String]]] = [:]
        for name in namedArabic + namedLatin { d[name[0], default: []].append(name) }
        for k in d.keys { d[k]!.sort { $0.count > $1.count } }
        return d
    }()

    static let agencyHead = ["وكاله", "الانباء"]

    static let anonymousHeadsArabic: [[String]] = [
        ["وسائل", "اعلام"], ["مصادر"], ["مصدر"], ["مسؤولون"], ["مسؤول"], ["مراقبون"], ["خبراء"], ["محللون"], ["شهود"],
        ["دبلوماسيون"], ["مقربون"], ["اوساط"], ["تقارير"], ["ناشطون"], ["مسؤولين"],
    ].map { $0.map { ArabicNormalizer.normalize($0) } }
    /// Heads that name people, counted without adjectives.
    static let pluralPeople: Set<String> = ["مسؤولون", "مراقبون", "خبراء", "محللون", "شهود", "دبلوماسيون", "مقربون", "ناشطون"]
    /// Heads that are attributions only in the nominative; the oblique forms are objects ("مع مسؤولين مصريين").
    static let obliqueHeads: Set<String> = ["مسؤولين"]
    static let adjectiveEndings: [String] = ["يه", "ي", "ون", "ين", "يون", "يين", "ه"]
    static let adjectives: Set<String> = ["مطلع", "مطلعه", "مطلعون", "رفيع", "رفيعه", "مقرب", "مقربه", "موثوق", "موثوقه", "عليم", "عليمه", "بارز", "بارزه", "كبار", "غربيون"]

    static let anonymousLatin: Set<String> = [
        "sources", "officials", "analysts", "observers", "experts", "witnesses", "diplomats", "responsables",
        "observateurs", "analystes", "témoins", "diplomates", "médias",
    ]
    static let latinAttributionWords: Set<String> = ["said", "say", "told", "says", "according", "citing", "quoting", "selon", "ont", "affirment", "indiquent", "familiar", "close", "proches", "cited"]

    static func find(in t: AnalyzedText) -> [SourceAttribution] {
        var out: [SourceAttribution] = []
        var i = 0
        let n = t.lexemes.count
        while i < n {
            guard let f = t.forms[i] else { i += 1; continue }
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
            if t.lexemes[i].script == .arabic, let (length, skip) = anonymousArabicMatch(at: i, in: t) {
                let whole = t.span(i..<(i + length))
                let span = TextSpan(start: whole.start + skip, end: whole.end)
                out.append(SourceAttribution(kind: .anonymous, text: t.substring(start: span.start, end: span.end), span: span))
                i += length
                continue
            }
            if t.lexemes[i].script == .latin, anonymousLatin.contains(f.normalized), let range = anonymousLatinMatch(at: i, in: t) {
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
    static func candidates(_ i: Int, _ t: AnalyzedText) -> [(String, Int)] {
        guard let f = t.forms[i] else { return [] }
        var out = [(f.normalized, 0)]
        if let first = f.normalized.unicodeScalars.first, "وفبلك".unicodeScalars.contains(first), f.normalized.unicodeScalars.count >= 3 {
            out.append((String(f.normalized.unicodeScalars.dropFirst()), 2))
        }
        return out
    }

    /// A gazetteer name starting at `i`: its length in lexemes and the byte offset of its start within the word.
    static func namedMatch(at i: Int, in t: AnalyzedText) -> (Int, Int)? {
        for (first, skip) in candidates(i, t) {
            guard let names = namedByFirst[first] else { continue }
            for name in names {
                var k = 1
                while k < name.count, i + k < t.lexemes.count, t.forms[i + k]?.normalized == name[k] { k += 1 }
                if k == name.count {
                    if name.count == 1 && name[0].utf8.count <= 3 && t.lexemes[i].script == .latin && t.texts[i] != t.texts[i].uppercased() { continue }
                    return (k, skip)
                }
            }
        }
        return nil
    }

    /// "وكالة الأنباء" + adjectives, when no gazetteer name follows within 3 lexemes.
    static func agencyMatch(at i: Int, in t: AnalyzedText) -> (Int, Int)? {
        guard i + 1 < t.lexemes.count, let skip = candidates(i, t).first(where: { $0.0 == agencyHead[0] })?.1,
              t.forms[i + 1]?.normalized == agencyHead[1] else { return nil }
        var j = i + 2
        while j < t.lexemes.count, j < i + 5, let f = t.forms[j], f.hasArticle, isAdjective(f.normalized) { j += 1 }
        for k in j..<min(t.lexemes.count, j + 3) where namedMatch(at: k, in: t) != nil { return nil }
        return (j - i, skip)
    }

    static func isAdjective(_ normalized: String) -> Bool {
        adjectives.contains(normalized) || adjectiveEndings.contains { normalized.hasSuffix($0) }
    }

    /// An anonymous source at `i`: its length in lexemes and the bytes of proclitic to leave out of its span.
    static func anonymousArabicMatch(at i: Int, in t: AnalyzedText) -> (Int, Int)? {
        for (first, skip) in candidates(i, t) {
            for head in anonymousHeadsArabic where head[0] == first {
                var k = 1
                while k < head.count, i + k < t.lexemes.count, t.forms[i + k]?.normalized == head[k] { k += 1 }
                guard k == head.count else { continue }
                if obliqueHeads.contains(head[0]) { return nil }
                var j = i + k
                while j < t.lexemes.count, j < i + k + 3, let f = t.forms[j], t.lexemes[j].kind == .word, !f.hasArticle,
                      !f.isStopword, isAdjective(f.normalized) {
                    j += 1
                }
                if j > i + k { return (j - i, skip) }
                if head.count > 1 || !pluralPeople.contains(head[0]) { return nil }
                if i + k < t.lexemes.count, let next = t.forms[i + k], next.hasArticle { return nil }
                return (k, skip)
            }
        }
        return nil
    }

    static func anonymousLatinMatch(at i: Int, in t: AnalyzedText) -> Range<Int>? {
        let lower = max(0, i - 3)
        let upper = min(t.lexemes.count, i + 4)
        let near = (lower..<upper).contains { k in t.forms[k].map { latinAttributionWords.contains($0.normalized) } ?? false }
        guard near else { return nil }
        var start = i
        if t.language.code == "en" {
            while start > lower, let f = t.forms[start - 1], t.lexemes[start - 1].kind == .word, !f.isStopword, !latinAttributionWords.contains(f.normalized) { start -= 1 }
            return start..<(i + 1)
        }
        var end = i + 1
        while end < upper, let f = t.forms[end], t.lexemes[end].kind == .word, !f.isStopword, !latinAttributionWords.contains(f.normalized), end - i <= 2 { end += 1 }
        return start..<end
    }
}
