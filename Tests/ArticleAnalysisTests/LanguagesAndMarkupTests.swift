import Testing
@testable import ArticleAnalysis

@Suite struct LanguagesAndMarkupTests {
    let analyzer = ArticleAnalyzer()

    static let english = """
    Egypt presses Hamas over Gaza security
    A senior Hamas delegation arrived in Cairo on Sunday for talks with Egyptian officials on the ceasefire, \
    according to Reuters. The talks are expected to focus on security arrangements and reconstruction in Gaza.
    "We are working with all parties to keep the ceasefire in place," said Ahmed Hafez, a spokesman for the \
    Egyptian foreign ministry.
    Officials said the negotiations would continue next week. Analysts say the mediation is fragile.
    Share this article
    © 2025 Example News. All rights reserved.
    """

    static let french = """
    L'Égypte accentue la pression sur le Hamas
    Une délégation du Hamas est arrivée au Caire pour des pourparlers avec les responsables égyptiens, selon l'AFP. \
    Les discussions portent sur la sécurité et la reconstruction de Gaza après le cessez-le-feu.
    « Nous travaillons avec toutes les parties pour maintenir la trêve », a déclaré Pascal Confavreux, porte-parole \
    du ministère des Affaires étrangères.
    Selon des sources diplomatiques, les négociations reprendront la semaine prochaine.
    Laisser un commentaire
    Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *
    """

    @Test func englishArticle() {
        let a = analyzer.analyze(Article(id: "en", content: .text(Self.english)))
        #expect(a.language.code == "en")
        #expect(a.language.confidence >= 0.6)
        #expect(a.title == "Egypt presses Hamas over Gaza security")
        #expect(a.removedLines == ["Share this article", "© 2025 Example News. All rights reserved."])
        let quote = a.quotes.first { $0.kind == .direct }
        #expect(quote?.text.hasPrefix("We are working with all parties") == true)
        #expect(quote?.speaker == "Ahmed Hafez")
        #expect(a.sources.contains { $0.kind == .named && $0.text == "Reuters" })
        #expect(a.sources.contains { $0.kind == .anonymous && $0.text == "Officials" })
        let talks = a.tokens.first { $0.text == "talks" }
        #expect(talks?.stem == "talk" && talks?.isStopword == false)
        #expect(a.tokens.first { $0.text == "the" }?.isStopword == true)
        let topics = Set(a.topics.map(\.topic))
        #expect(topics.contains("mediation") && topics.contains("ceasefire"))
    }

    @Test func frenchArticle() {
        let a = analyzer.analyze(Article(id: "fr", content: .text(Self.french)))
        #expect(a.language.code == "fr")
        #expect(a.removedLines.count == 2)
        let quote = a.quotes.first { $0.kind == .direct }
        #expect(quote?.text == "Nous travaillons avec toutes les parties pour maintenir la trêve")
        #expect(quote?.speaker == "Pascal Confavreux")
        #expect(a.sources.contains { $0.kind == .named && $0.text == "AFP" })
        #expect(a.sources.contains { $0.kind == .anonymous && $0.text == "sources diplomatiques" })
        #expect(a.tokens.first { $0.text == "négociations" }?.stem == "négoci")
        #expect(a.tokens.first { $0.text == "les" }?.isStopword == true)
        #expect(Set(a.topics.map(\.topic)).contains("ceasefire"))
    }

    @Test func htmlPageKeepsTheArticleOnly() {
        let html = """
        <!DOCTYPE html><html><head><title>موقع الأخبار</title><style>p { color: red }</style></head>
        <body><nav><a href="/">الرئيسية</a> › <a>العالم العربي</a></nav>
        <header class="site-header">شعار الموقع</header>
        <article><h1>القاهرة تستضيف محادثات التهدئة</h1>
        <p>وصل وفد من حركة حماس إلى القاهرة &amp; بدأ مباحثات مع مسؤولين مصريين حول وقف إطلاق النار.</p>
        <div class="share-buttons"><a>فيسبوك</a><a>تويتر</a></div>
        <h2>ملف الإعمار</h2>
        <p>وقال المتحدث باسم الوفد، إن &laquo;المحادثات تسير بشكل إيجابي حتى الآن&raquo; بحسب وكالة رويترز.</p>
        <script>document.write("<p>إعلان</p>")</script>
        </article>
        <div id="comments"><form><textarea></textarea><button>أرسل</button></form></div>
        <footer>جميع الحقوق محفوظة</footer></body></html>
        """
        let a = analyzer.analyze(Article(id: "h", content: .html(html)))
        #expect(!a.flags.contains(.htmlWithoutBody))
        #expect(a.title == "القاهرة تستضيف محادثات التهدئة")
        #expect(a.headings == ["ملف الإعمار"])
        #expect(a.cleanText.split(separator: "\n").count == 3)
        for chrome in ["الرئيسية", "شعار", "فيسبوك", "إعلان", "أرسل", "محفوظة", "color", "موقع الأخبار"] {
            #expect(!a.cleanText.contains(chrome), "\(chrome) left in the clean text")
        }
        #expect(a.cleanText.contains("القاهرة & بدأ"))
        let quote = a.quotes.first { $0.kind == .direct }
        #expect(quote?.text == "المحادثات تسير بشكل إيجابي حتى الآن")
        #expect(quote?.speaker == "المتحدث باسم الوفد")
        #expect(a.sources.contains { $0.kind == .named && $0.text == "رويترز" })
    }
}
