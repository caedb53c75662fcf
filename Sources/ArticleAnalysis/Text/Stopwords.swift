/// Function words of Arabic, English and French, never keywords and never scored for topics or tone.
///
/// Arabic entries are normalised (see `ArabicNormalizer`) and match a token's normalised form or its base;
/// English and French entries are lowercase.
public enum Stopwords {
    static let arabic: Set<WordKey> = Set(arabicList.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { WordKey(ArabicNormalizer.normalize(String($0))) })
    static let latin: Set<WordKey> = Set((englishList + " " + frenchList).split(whereSeparator: { $0 == " " || $0 == "\n" }).map { WordKey(String($0)) })

    /// True when the (normalised or lowercased) word is a stopword of any of the three languages.
    public static func contains(_ word: String) -> Bool {
        arabic.contains(word: word) || latin.contains(word: word)
    }

    static let arabicList = """
    في من على الى إلى عن مع ان أن إن بأن بان لأن كان كانت يكون تكون كانوا هذا هذه ذلك تلك هذان هاتان هؤلاء أولئك \
    الذي التي الذين اللذين اللتين اللواتي اللاتي ما ماذا لم لن لا لما ليس ليست قد لقد ثم او أو أم بل لكن لكنه \
    حتى إذا اذا إذ كل بعض غير سوى بين عند عندما حين حيث منذ خلال بعد قبل فوق تحت أمام خلف حول دون ضد نحو \
    هو هي هم هما هن أنا نحن أنت أنتم انه أنه إنه انها أنها إنها انهم أنهم إنهم له لها لهم به بها بهم منه منها \
    منهم عليه عليها عليهم فيه فيها فيهم اليه إليه إليها اليها إليهم عنه عنها عنهم كما كذلك أيضا ايضا مثل وفق \
    وفقا أي أية اية ذات ذاته نفس نفسه جدا فقط لدى لدي لديه لديها مما ممن عما فيما بينما كيف أين متى هل يا \
    قال وقال قالت وقالت أكثر أقل اكثر اقل أول اول تم يتم وقد فقد وهو وهي وكان وكانت ولا وما ومن وفي وعلى \
    وإلى والى وعن ومع وهذا وهذه وذلك والتي والذي ولم ولن ثمة هناك هنا الآن اليوم أمس غدا يوم عام سنة \
    إلا الا ولكن لكي كي لو ولو أما اما إما اما عدة عدد ضمن إطار اطار سياق جانب إضافة اضافة بالإضافة بالاضافة \
    بمن لمن فمن كمن بهذا لهذا بذلك لذلك وبذلك بهذه لهذه
    """
    /// Words that are no keyword although they are not function words: weekdays, months (Gregorian and Levantine
    /// names), number words and units of counting, times, and verbs of saying and of being ("بات", "أصبح").
    /// Normalised bases (no article, no clitics); matched by `isNonKeyword`. Not stopwords: topics, tone and
    /// fingerprints still see them.
    static let nonKeywords: Set<WordKey> = Set(nonKeywordList.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { WordKey(ArabicNormalizer.normalize(String($0))) })

    /// True when a word (its normalised form or base) is never a keyword.
    static func isNonKeyword(normalized: String, base: String) -> Bool {
        nonKeywords.contains(word: base) || nonKeywords.contains(word: normalized)
    }

    static let nonKeywordList = """
    أحد الأحد اثنين الاثنين إثنين الإثنين ثلاثاء الثلاثاء أربعاء الأربعاء خميس الخميس جمعة الجمعة سبت السبت \
    يناير فبراير مارس أبريل ابريل إبريل مايو يونيو يونيه يوليو يوليه أغسطس اغسطس سبتمبر أكتوبر اكتوبر نوفمبر ديسمبر \
    كانون شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين \
    واحد واحدة اثنان اثنتان اثنتين ثلاث ثلاثة أربع أربعة خمس خمسة ست ستة سبع سبعة ثمان ثماني ثمانية تسع تسعة عشر عشرة \
    عشرون عشرين ثلاثون ثلاثين أربعون أربعين خمسون خمسين ستون ستين سبعون سبعين ثمانون ثمانين تسعون تسعين \
    مئة مائة مئات مائتين مئتين ألف ألفا آلاف الاف مليون ملايين مليار مليارات نصف ربع ثلث بالمئة بالمائة المئة المائة \
    أول أولى ثاني ثانية ثالث ثالثة رابع رابعة خامس خامسة أخير أخيرة \
    يوم أيام يومين أسبوع أسابيع أسبوعين شهر أشهر شهور شهرين سنة سنوات سنتين عام أعوام عامين ساعة ساعات دقيقة دقائق \
    ثانية ثوان صباح مساء ليلة غدا أمس الآن حاليا مؤخرا لاحقا الماضي الماضية المقبل المقبلة القادم القادمة الجاري \
    بات باتت يبدو تبدو أصبح أصبحت يصبح تصبح ظل ظلت يظل تظل زال يزال تزال مازال مازالت صار صارت \
    قال قالت يقول تقول أكد أكدت يؤكد تؤكد أضاف أضافت أوضح أوضحت أشار أشارت ذكر ذكرت أعلن أعلنت تابع تابعت \
    أمر شيء أشياء مرة مرات نحو حوالي قرابة أكثر أقل كبير كبيرة جديد جديدة أخرى آخر آخرين عدد بعض كافة جميع \
    وفق وفقا بحسب حسب خلال إثر عقب أيضا كذلك فقط مجرد حتى بينما رغم بسبب نتيجة إطار
    """

    static let englishList = """
    a an the and or but if then else of to in on at by for with from into onto over under about above below \
    between through during before after since until while as than that this these those there here is are was \
    were be been being am do does did doing have has had having not no nor so too very can could will would \
    shall should may might must it its it's he him his she her hers they them their theirs we us our ours you \
    your yours i me my mine who whom whose which what when where why how all any both each few more most other \
    some such only own same just also said says say according told per via up down out off again further once \
    one two three new last first mr mrs ms dr
    """
    static let frenchList = """
    le la les l un une des du de d au aux et ou mais donc or ni car que qu qui quoi dont où ce cet cette ces \
    se sa son ses sur sous dans par pour avec sans entre vers chez est sont était étaient être été a ont avait \
    avaient avoir il elle ils elles on nous vous je tu me te lui leur leurs eux y en ne pas plus moins très \
    aussi comme si tout tous toute toutes autre autres même mêmes a-t-il selon déjà encore après avant pendant \
    depuis lors dont ainsi alors notamment contre cela ceci ça c n s j m t
    """
}
