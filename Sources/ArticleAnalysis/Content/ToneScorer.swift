/// A lexicon tone score in [-1, 1]: (positive - negative) / (positive + negative + 4), over cue stems.
///
/// Deliberately simple and symmetric: no negation handling; the +4 damps scores of texts with few cue words.
/// Cue words are Arabic, English and French, matched by stem like topic cues.
struct ToneScorer: Sendable {
    static let positive = """
    نجاح ناجح اتفاق سلام استقرار تعاون دعم تقدم فوز تحسن نمو أمل ترحيب رحب مصالحة تهدئة إنجاز ازدهار انفراج \
    إيجابي إيجابية توافق شراكة حل انتصار تفاؤل ارتفاع ربح أرباح حماية success agreement peace stability \
    cooperation support progress win improve growth hope welcome reconciliation achievement positive \
    succès accord paix stabilité coopération soutien progrès victoire amélioration croissance espoir
    """
    static let negative = """
    قتل قتلى قتيل هجوم انفجار أزمة حرب عنف ضحايا إعدام إعدامات توتر توترات تصعيد انهيار خسائر فشل إدانة \
    أدان إصابة جرحى دمار تدهور مخاطر تهديد حصار معاناة انفلات صراع مواجهة مواجهات اعتقال احتجاج قصف اشتباكات \
    كارثة فساد تضخم انخفاض تراجع ضغوط ضغط killed attack explosion crisis war violence victims execution tension \
    escalation collapse losses failure condemn injured destruction threat siege conflict arrest protest \
    tué attaque explosion crise guerre violence victimes tension escalade effondrement pertes échec menace conflit
    """

    /// +1 for a positive cue stem, -1 for a negative one (positive wins when a stem is both).
    let polarity: WordKeyTable<Int>

    init() {
        func stems(_ list: String) -> Set<WordKey> {
            var out = Set<WordKey>()
            for word in list.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\\" }) {
                for v in TopicScorer.stemVariants(of: String(word)) { if let s = v.first { out.insert(WordKey(s)) } }
            }
            return out
        }
        var polarity: [WordKey: Int] = [:]
        for stem in stems(ToneScorer.negative) { polarity[stem] = -1 }
        for stem in stems(ToneScorer.positive) { polarity[stem] = 1 }
        self.polarity = WordKeyTable(polarity)
    }

    func score(_ t: AnalyzedText) -> Double {
        // Occurrences per distinct stem, then one lookup per stem rather than per word.
        var occurrences = [Int](repeating: 0, count: t.stemCount)
        for (i, f) in t.forms.enumerated() {
            guard let f, !f.isStopword else { continue }
            occurrences[t.stemIDs[i]] += 1
        }
        var pos = 0, neg = 0
        for (id, n) in occurrences.enumerated() where n > 0 {
            switch polarity[t.stemKeys[id]] {
            case 1: pos += n
            case -1: neg += n
            default: break
            }
        }
        let tone = Double(pos - neg) / Double(pos + neg + 4)
        return (max(-1, min(1, tone)) * 1000).rounded() / 1000
    }
}
