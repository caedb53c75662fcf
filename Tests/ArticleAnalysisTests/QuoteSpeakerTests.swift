import Testing
@testable import ArticleAnalysis

/// Who speaks in the sentence shapes `QuoteFinder` reads: each sentence has one quote, and its speaker is named
/// somewhere other than right after the verb. The sentences are written for the test, not taken from the gold set.
@Suite struct QuoteSpeakerTests {
    let analyzer = ArticleAnalyzer()

    func quotes(_ text: String) -> [Quote] {
        analyzer.analyze(Article(id: "q", content: .text(text))).quotes
    }

    func onlyQuote(_ text: String) throws -> Quote {
        let quotes = self.quotes(text)
        #expect(quotes.count == 1, "\(quotes.map(\.text))")
        return try #require(quotes.first)
    }

    @Test func aRelayingVerbsSpeakerFollowsAn() throws {
        let q = try onlyQuote("ونقلت وكالة رويترز عن مسؤول حكومي قوله إن المحادثات ستستأنف الأسبوع المقبل في جنيف.")
        #expect(q.kind == .reported && q.text.hasPrefix("المحادثات ستستأنف"))
        #expect(q.speaker == "مسؤول حكومي")
    }

    @Test func accordingToASourceWithFainnaSpeaks() throws {
        let q = try onlyQuote("وبحسب صحيفة \"الغارديان\" البريطانية، فإن \"الحكومة تدرس خطة جديدة لخفض الضرائب على الشركات الصغيرة\".")
        #expect(q.kind == .direct)
        #expect(q.speaker?.contains("الغارديان") == true)
        // Without إن/أن or a quotation, "بحسب" attributes nothing.
        let none = quotes("وارتفعت الأسعار بنسبة عشرة في المئة بحسب وكالة رويترز.")
        #expect(none.isEmpty)
    }

    @Test func aQuotedNameRightAfterTheVerbIsTheSpeaker() throws {
        let q = try onlyQuote("وقالت \"هآرتس\" إن معظم الذين غادروا الحدود كانوا من الأطفال والنساء.")
        #expect(q.kind == .reported && q.text.hasPrefix("معظم الذين"))
        #expect(q.speaker == "هآرتس")
    }

    @Test func aSentenceOpeningWithKanaNamesTheSpeakerBeforeTheVerb() throws {
        let q = try onlyQuote("وكان وزير المالية اللبناني، علي حسن خليل، قد قال، نهاية الشهر الماضي، إن الموازنة ستقر قبل نهاية العام.")
        #expect(q.speaker == "وزير المالية اللبناني، علي حسن خليل")
    }

    @Test func aTitleIsFollowedByItsNameAFewWordsOn() throws {
        let q = try onlyQuote("وأكد كبير مفاوضي الاتحاد الأوروبي في هذا الملف ميشال بارنييه أن الوقت بدأ ينفد أمام الجانبين.")
        #expect(q.speaker?.hasSuffix("ميشال بارنييه") == true)
        // A name after "مع" belongs to someone else.
        let other = try onlyQuote("وقال وزير الخارجية في مؤتمر مع نظيره سيرغي لافروف إن المحادثات كانت صريحة ومفيدة للطرفين.")
        #expect(other.speaker == "وزير الخارجية")
    }

    @Test func aParticipleTakesTheSpeakerOfAnEarlierVerbInItsSentence() throws {
        let q = try onlyQuote("وردت وزارة الخارجية الفرنسية على التقرير معتبرة أنه يتضمن معلومات غير دقيقة عن المفاوضات.")
        #expect(q.speaker == "وزارة الخارجية الفرنسية")
    }

    @Test func aComplementizerAfterACommaReachesPastTheAppositions() throws {
        let q = try onlyQuote("""
        وقال أحمد الخطيب، المتحدث باسم تحالف من الفصائل المعارضة يعرف باسم "جبهة التحرير"، الذي يقاتل في ريف إدلب، \
        لوكالة فرانس برس، إن القصف طال ثلاث قرى.
        """)
        #expect(q.text.hasPrefix("القصف طال"))
        #expect(q.speaker == "أحمد الخطيب")
    }

    @Test func aSpeakerBeforeItsVerbMayHoldANumberAndAPreposition() throws {
        let q = try onlyQuote("غير أن مراسل فرانس 24 في القاهرة أفاد بأن المفاوضات لم تبدأ بعد.")
        #expect(q.speaker == "مراسل فرانس 24 في القاهرة")
    }

    @Test func aHeadlineNamesItsSpeakerBeforeAColon() throws {
        let q = try onlyQuote("وزير الخارجية الأمريكي: \"العقوبات على كوريا الشمالية ستبقى حتى نهاية البرنامج النووي\"")
        #expect(q.kind == .direct && q.speaker == "وزير الخارجية الأمريكي")
    }

    @Test func aParagraphOpeningWithAQuotationGoesOnWithTheLastSpeaker() {
        let quotes = self.quotes("""
        وقال الرئيس الفرنسي إيمانويل ماكرون إن بلاده ستواصل دعم الاتفاق.
        وأضاف "سنعمل مع شركائنا الأوروبيين على حماية الاتفاق".
        "ولن نقبل أي تراجع عن الالتزامات التي وقعناها قبل ثلاث سنوات".
        """)
        #expect(quotes.count == 3)
        #expect(quotes.last?.text.hasPrefix("ولن نقبل") == true)
        #expect(quotes.last?.speaker == "الرئيس الفرنسي إيمانويل ماكرون")
    }

    @Test func ammaNamesTheSpeakerOfAVerbWrittenWithFa() throws {
        let q = try onlyQuote("أما وزير الدفاع الألماني فقال إن الجيش لن يشارك في أي عملية عسكرية جديدة.")
        #expect(q.speaker == "وزير الدفاع الألماني")
    }

    @Test func aChantIsSpokenByWhoChantsIt() throws {
        let q = try onlyQuote("وخرج آلاف المتظاهرين إلى الشوارع هاتفين \"الشعب يريد إسقاط الحكومة الفاسدة\".")
        #expect(q.kind == .direct && q.speaker?.contains("المتظاهرين") == true)
    }

    @Test func timeWordsBetweenASpeakerAndItsVerbAreSkipped() throws {
        let q = try onlyQuote("لكن بيانا في نوفمبر/تشرين الثاني ذكر بأن التحقيق شمل موظفين كبارا في الشركة.")
        #expect(q.speaker == "بيانا")
    }

    @Test func aSpeakerBeforeItsVerbStopsAtAClauseOpener() {
        let quotes = self.quotes(
            "وقالت الشركة في بيان إن الأسعار سترتفع. وبعدما أكدت طوال الأسبوع أنها لن ترفع الأسعار، عادت عن قرارها."
        )
        #expect(quotes.count == 2)
        #expect(quotes.allSatisfy { $0.speaker == "الشركة" }, "\(quotes.map(\.speaker))")
    }

    @Test func aPartitiveSpeakerKeepsItsPreposition() throws {
        let q = try onlyQuote("وقالت مصادر في الشرطة الفرنسية إن المشتبه به غادر البلاد قبل أسبوع.")
        #expect(q.speaker == "مصادر في الشرطة الفرنسية")
    }

    @Test func aPronounsPrepositionBeforeTheSpeakerIsSkipped() throws {
        let q = try onlyQuote("وتتواصل الاشتباكات في وقت أعلنت فيه الأمم المتحدة الأحد أنها سترسل قافلة مساعدات جديدة.")
        #expect(q.speaker == "الأمم المتحدة")
    }
}
