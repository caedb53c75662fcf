/// Words that introduce speech, and the words that end a speaker's name or start the reported clause.
///
/// Arabic entries are normalised and match a word with a leading و or ف removed.
enum SpeechCues {
    /// Verbs that take a speaker then إن/أن or a quotation.
    static let arabicVerbs: Set<WordKey> = Set("""
    قال قالت يقول تقول اكد اكدت يؤكد تؤكد اوضح اوضحت يوضح توضح اشار اشارت يشير تشير اضاف اضافت يضيف تضيف \
    صرح صرحت يصرح ذكر ذكرت يذكر تذكر افاد افادت يفيد تفيد اعلن اعلنت يعلن تعلن شدد شددت يشدد تشدد كشف كشفت \
    يكشف اعتبر اعتبرت يعتبر تعتبر راي رات يري تري لفت لفتت يلفت اوردت اورد نقل نقلت تابع تابعت حذر حذرت \
    يحذر تحذر نفي نفت ينفي اعرب اعربت زعم زعمت ادعي ادعت قالوا اكدوا اشاروا اوضحوا اضافوا ذكروا افادوا يرون \
    اعلنوا يقولون تقولون كتب كتبت غرد غردت اردف اردفت نوه نوهت ردت تضيف يضيفون حذروا نفوا كرر كررت يكرر \
    هتف هتفت هتفوا يهتفون ردد رددت رددوا يرددون
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { WordKey(ArabicNormalizer.normalize(String($0))) })

    /// Participles that continue the previous speaker's words ("مؤكدًا أن ...").
    static let arabicParticiples: Set<WordKey> = Set("""
    مؤكدا مؤكده مشيرا مشيره موضحا موضحه مضيفا مضيفه لافتا لافته معتبرا معتبره مشددا مشدده محذرا محذره متابعا متابعه \
    قائلا قائله قائلين مؤكدين مشيرين مضيفين هاتفا هاتفه هاتفين مرددا مردده مرددين
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { WordKey(ArabicNormalizer.normalize(String($0))) })

    /// Words that open the reported clause (after the cue and the speaker).
    /// Words that open the reported clause (after the cue and the speaker), pronoun-suffixed forms included
    /// ("إنه", "أنها", "بأنهم").
    static let arabicComplementizers: Set<WordKey> = [
        "ان", "بان", "فان", "لان", "انه", "انها", "انهم", "انهما", "اننا", "انني", "اني", "بانه", "بانها", "بانهم",
        "بانهما",
    ]

    /// Prepositions a complementizer may follow ("أشار إلى أن", "حذر من أن").
    static let arabicComplementizerPrepositions: Set<WordKey> = ["الي", "من"]

    /// Words that may stand between a speech verb and its speaker, or after a cue with no speaker: times and
    /// manner ("قال لاحقا إن", "وتابع بالقول", "حذرت العام الماضي من أن"). Skipped before the speaker; they end it after.
    static let arabicSpeakerSkips: Set<WordKey> = Set("""
    الاحد الاثنين الثلاثاء الاربعاء الخميس الجمعه السبت لاحقا مؤخرا ايضا بدوره بدورها كذلك بالقول العام الماضي \
    الشهر الاسبوع يوم اليوم امس مساء صباح فجر ظهر ليل ليله الليله سابقا مجددا بدورهم بالفعل حينها وقتها طوال طيله \
    لطالما طالما نهايه بدايه اواخر اوائل منتصف مره اخري
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { WordKey(String($0)) })

    /// Words that end a speaker's name when they follow it.
    static let arabicSpeakerStops: Set<WordKey> = [
        "انهما", "اننا", "بانهم", "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه", "السبت", "لاحقا",
        "ايضا", "بالقول", "للتلفزيون", "ردا", "بالفعل", "استنادا",
        "ان", "بان", "فان", "الي", "في", "خلال", "امام", "لدي", "اليوم", "امس", "مساء", "صباح", "عبر", "ل", "له", "لها",
        "نقلا", "على", "علي", "ضمن", "عقب", "بعد", "قبل", "حول", "عن", "من", "انه", "انها", "انهم", "بانه", "بانها",
        "فيها", "فيه", "عنه", "عنها", "لوكاله", "لصحيفه", "لقناه", "لموقع", "لوسائل", "للصحفيين", "للصحافيين", "لنا",
        "قوله", "قولها", "قولهم",
    ]

    static let latinVerbs: Set<WordKey> = [
        "said", "says", "say", "told", "added", "stated", "explained", "noted", "warned", "announced", "declared",
        "insisted", "stressed", "argued", "dit", "déclaré", "affirmé", "ajouté", "expliqué", "indiqué", "précisé",
        "estimé", "souligné", "assuré", "annoncé", "averti", "lancé", "déclare", "affirme", "ajoute", "explique",
        "indique", "précise", "estime", "souligne", "assure",
    ]
    static let latinSpeakerStops: Set<WordKey> = [
        "that", "on", "in", "at", "to", "during", "after", "before", "while", "que", "qu", "lors", "dans", "à", "au",
        "mardi", "lundi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday", "yesterday", "today", "hier", "aujourd", "in", "a", "the",
    ]

    /// Month names (Gregorian, and the Levantine names written beside them: "نوفمبر/تشرين الثاني").
    static let arabicMonths: Set<WordKey> = Set("""
    يناير فبراير مارس ابريل مايو يونيو يوليو اغسطس سبتمبر اكتوبر نوفمبر ديسمبر كانون شباط اذار نيسان ايار حزيران \
    تموز اب ايلول تشرين
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { WordKey(String($0)) })
    /// The ordinals of "تشرين الأول", "كانون الثاني" (months only after تشرين or كانون).
    static let arabicMonthOrdinals: Set<WordKey> = ["الاول", "الثاني", "اول", "ثاني"]

    /// Conjunctions that open a clause: a speaker written before its verb never runs back past them
    /// ("وبعدما أكدت طوال الأسبوع أنها"). Matched with a leading و/ف removed.
    static let arabicClauseOpeners: Set<WordKey> = ["بعدما", "عندما", "حينما", "بينما", "فيما", "كما", "لما", "قبلما", "حيث", "اذ", "لكن", "ولكن"]

    /// Relative pronouns: "كيم كي جوان، الذي قال إن" names its speaker before the pronoun.
    static let arabicRelativePronouns: Set<WordKey> = ["الذي", "التي", "الذين", "اللذين", "اللتين"]

    /// Opening quotation marks and the closing mark each pairs with.
    static let pairs: [UInt32: UInt32] = [0x201C: 0x201D, 0xAB: 0xBB, 0x201E: 0x201C, 0x22: 0x22, 0x201D: 0x201D]
    static let allQuoteMarks: Set<UInt32> = [0x201C, 0x201D, 0xAB, 0xBB, 0x201E, 0x22]
}
