/// One topic of the taxonomy: an id, its parent, and the words that signal it.
public struct Topic: Sendable, Hashable {
    public var id: String
    /// The broader topic, nil for top-level topics.
    public var parent: String?
    /// Cue words and phrases in Arabic, English and French, as written; matched by stem.
    public var cues: [String]
}

/// The topic taxonomy (documented in Protocols/analysis.md). Ids are stable: never rename one.
public enum TopicTaxonomy {
    public static let topics: [Topic] = [
        Topic(id: "politics", parent: nil, cues: [
            "حكومة", "رئيس", "برلمان", "انتخابات", "حزب", "وزير", "سياسي", "سياسية", "الرئاسة", "نواب", "معارضة",
            "دستور", "قرار", "سلطة", "government", "president", "parliament", "election", "party", "minister",
            "political", "opposition", "gouvernement", "président", "parlement", "élection", "parti", "ministre",
            "politique",
        ]),
        Topic(id: "diplomacy", parent: "politics", cues: [
            "دبلوماسي", "دبلوماسية", "سفير", "سفارة", "الخارجية", "قمة", "زيارة", "علاقات", "مجلس الأمن",
            "الأمم المتحدة", "اتفاق", "دولي", "تعاون", "diplomatic", "diplomacy", "ambassador", "embassy", "summit",
            "united nations", "security council", "foreign", "agreement", "diplomatique", "ambassadeur", "sommet",
            "nations unies", "conseil de sécurité", "accord",
        ]),
        Topic(id: "mediation", parent: "diplomacy", cues: [
            "وساطة", "وسيط", "مباحثات", "محادثات", "مفاوضات", "مصالحة", "حوار", "وفد", "اجتماع", "لقاء", "تفاهمات",
            "mediation", "mediator", "talks", "negotiations", "reconciliation", "dialogue", "delegation",
            "médiation", "médiateur", "pourparlers", "négociations", "réconciliation", "délégation",
        ]),
        Topic(id: "security", parent: nil, cues: [
            "أمن", "أمني", "أمنية", "عسكري", "عسكرية", "مسلح", "مسلحة", "جيش", "قوات", "هجوم", "قصف", "تصعيد",
            "إعدامات", "الانفلات", "حدود", "إرهاب", "اشتباكات", "قوة", "مواجهات", "security", "military", "army",
            "armed", "attack", "forces", "troops", "terrorism", "clashes", "sécurité", "militaire", "armée", "armé",
            "attaque", "forces", "terrorisme", "affrontements",
        ]),
        Topic(id: "ceasefire", parent: "security", cues: [
            "وقف إطلاق النار", "هدنة", "تهدئة", "وقف القتال", "ceasefire", "cease-fire", "truce", "cessez-le-feu", "trêve",
        ]),
        Topic(id: "humanitarian", parent: nil, cues: [
            "إنساني", "إنسانية", "معاناة", "حصار", "إغاثة", "مساعدات", "لاجئين", "نازحين", "مدنيين", "المعيشي", "سكان",
            "humanitarian", "aid", "relief", "refugees", "displaced", "civilians", "suffering", "humanitaire",
            "réfugiés", "déplacés", "civils",
        ]),
        Topic(id: "reconstruction", parent: "humanitarian", cues: [
            "إعمار", "إعادة الإعمار", "إعادة بناء", "reconstruction", "rebuild", "rebuilding", "reconstruire",
        ]),
        Topic(id: "economy", parent: nil, cues: [
            "اقتصاد", "اقتصادي", "اقتصادية", "أسعار", "تضخم", "نمو", "سوق", "أسواق", "استثمار", "بنك", "عملة", "دولار",
            "نفط", "تجارة", "ميزانية", "شركة", "شركات", "مالية", "economy", "economic", "prices", "inflation", "growth",
            "market", "investment", "bank", "currency", "oil", "trade", "budget", "company", "économie", "économique",
            "prix", "croissance", "marché", "investissement", "banque", "monnaie", "pétrole", "commerce",
        ]),
        Topic(id: "sport", parent: nil, cues: [
            "مباراة", "فريق", "منتخب", "دوري", "كأس", "لاعب", "بطولة", "مدرب", "نادي", "أندية", "ملعب", "كرة", "مونديال",
            "رياضة", "رياضي", "الانتقالات", "أولمبي", "match",
            "team", "league", "cup", "player", "championship", "coach", "club", "stadium", "football", "équipe",
            "ligue", "coupe", "joueur", "championnat", "entraîneur", "stade",
        ]),
        Topic(id: "culture", parent: nil, cues: [
            "ثقافة", "ثقافي", "فيلم", "سينما", "مهرجان", "فنان", "فنانة", "كتاب", "رواية", "موسيقى", "معرض", "مسرح",
            "أغنية", "تراث", "culture", "cultural", "film", "cinema", "festival", "artist", "novel", "music",
            "exhibition", "theatre", "culturel", "cinéma", "artiste", "roman", "musique", "exposition", "théâtre",
        ]),
        Topic(id: "technology", parent: nil, cues: [
            "تكنولوجيا", "تقنية", "هاتف", "إنترنت", "تطبيق", "ذكاء اصطناعي", "بيانات", "رقمي", "شركة آبل", "غوغل",
            "فيسبوك", "الهواتف", "برنامج", "technology", "smartphone", "internet", "app", "artificial intelligence",
            "data", "digital", "software", "apple", "google", "technologie", "numérique", "logiciel", "données",
        ]),
        Topic(id: "health", parent: nil, cues: [
            "صحة", "صحي", "صحية", "مستشفى", "مرض", "أمراض", "طبي", "طبية", "وباء", "لقاح", "علاج", "أطباء", "مرضى",
            "health", "hospital", "disease", "medical", "epidemic", "vaccine", "treatment", "doctors", "patients",
            "santé", "hôpital", "maladie", "médical", "épidémie", "vaccin", "traitement", "médecins",
        ]),
    ]

    /// A topic's ancestors, nearest first.
    public static func ancestors(of id: String) -> [String] {
        var out: [String] = []
        var current = topics.first { $0.id == id }?.parent
        while let p = current, !out.contains(p) {
            out.append(p)
            current = topics.first { $0.id == p }?.parent
        }
        return out
    }
}
