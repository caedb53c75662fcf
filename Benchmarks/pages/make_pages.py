"""Builds the page-cleaning gold set: realistic Arabic news pages around ANT articles, with the exact article text.

Each page wraps one article (title and body from ../shared/corpus/ant/articles.jsonl.gz) in the chrome of one of seven
site templates: navigation, a breaking-news ticker, breadcrumbs, bylines, share bars, «الأكثر قراءة», related
links with teasers, tags, reader comments and comment forms, cookie banners, newsletter boxes, author boxes and
footers. Chrome texts that read like news (ticker, most read, related teasers) are titles and first sentences of
other ANT articles. Every visible text of the page is recorded in document order with a label:

- `article`: the body of the article (the gold text an extractor should keep),
- `chrome`: everything an extractor should drop,
- `neutral`: the headline and image captions (scored neither way).

Output: gold/NN-TEMPLATE-SOURCE.html and gold/NN-TEMPLATE-SOURCE.json ({template, source, article_id, title,
segments: [{label, text}], article_text}). Deterministic: the same corpus gives byte-identical files.

Usage: python3 make_pages.py [ARTICLES_JSONL_GZ] [OUT_DIR]
"""
import gzip
import hashlib
import html
import json
import os
import random
import sys

SOURCES = ["BBC", "CNN", "alarabia", "france24"]
TEMPLATES = ["wordpress", "divsoup", "html5", "table", "amp", "portal", "magazine"]

SITE_NAMES = ["صدى الأخبار", "المشهد العربي", "نبض الخليج", "الوطن اليوم", "بوابة الشرق", "عين الحدث", "المرصد الإخباري"]
SECTIONS = ["الرئيسية", "سياسة", "اقتصاد", "رياضة", "ثقافة وفن", "تكنولوجيا", "منوعات", "فيديو", "رأي", "صحة"]
SECTION_OF = {"politics": "سياسة", "economy": "اقتصاد", "sport": "رياضة", "culture": "ثقافة وفن",
              "tech": "تكنولوجيا", "health": "صحة", "middleeast": "الشرق الأوسط", "world": "العالم"}
AUTHORS = ["محمد عبد الرحمن", "سارة الخطيب", "أحمد منصور", "ليلى حداد", "خالد العتيبي", "نور الهدى سالم"]
COMMENTERS = ["أبو يوسف", "مواطن عربي", "سامي", "أم أحمد", "قارئ من تونس", "Hassan", "عبدالله الشمري", "ريم"]
COMMENTS = [
    "للأسف هذا ما كنا نتوقعه منذ البداية، ولا أحد يستمع إلى صوت الشعوب.",
    "مقال ممتاز وتغطية متوازنة، شكرا للكاتب على هذا الجهد.",
    "أين الحكومة من كل هذا؟ المواطن البسيط هو من يدفع الثمن في النهاية.",
    "الله يحفظ بلادنا من كل سوء ويجنبها الفتن ما ظهر منها وما بطن.",
    "لا أتفق مع ما ورد في الخبر، فالأرقام الرسمية تقول شيئا آخر تماما والإعلام لا ينقل الحقيقة كاملة.",
    "متى سنرى حلا حقيقيا لهذه الأزمة بدل التصريحات التي نسمعها كل أسبوع؟",
    "خبر مهم جدا، أتمنى أن تتابعوا القصة وتنشروا التفاصيل الكاملة عندما تتوفر.",
    "التاريخ يعيد نفسه، ومن لا يتعلم من أخطاء الماضي سيكررها بلا شك.",
]
TAG_WORDS = ["مصر", "السعودية", "الأمم المتحدة", "الاقتصاد العالمي", "كرة القدم", "ترامب", "سوريا", "النفط",
             "الانتخابات", "الصحة العامة", "إيران", "أوروبا"]
MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]


class Page:
    """HTML text and the labelled visible texts, built together so the labels are exact."""

    def __init__(self):
        self.parts = []
        self.segments = []

    def raw(self, markup):
        self.parts.append(markup)

    def text(self, label, text):
        self.parts.append(html.escape(text, quote=False))
        self.segments.append({"label": label, "text": text})

    def el(self, tag, label, text, attrs=""):
        self.raw(f"<{tag}{' ' + attrs if attrs else ''}>")
        self.text(label, text)
        self.raw(f"</{tag}>")

    def link(self, label, text, href="#"):
        self.el("a", label, text, f'href="{href}"')

    def html(self):
        return "".join(self.parts)


def read_corpus(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def key(record):
    return hashlib.sha1(record["id"].encode("utf-8")).hexdigest()


def pick_articles(rows):
    """Per source, articles of 4 to 12 paragraphs and 1,200 to 4,500 characters, in order of a hash of the id."""
    chosen = {}
    for source in SOURCES:
        pool = [r for r in rows if r["source"] == source and r.get("title")
                and 1200 <= len(r["text"]) <= 4500 and 4 <= len(paragraphs(r)) <= 12]
        chosen[source] = sorted(pool, key=key)
    return chosen


def paragraphs(record):
    return [p.strip() for p in record["text"].split("\n") if p.strip()]


def first_sentence(record):
    text = paragraphs(record)[0]
    for end in [".", "،"]:
        cut = text.find(end, 60)
        if 0 < cut < 220:
            return text[:cut + 1]
    return text[:180].rsplit(" ", 1)[0] + "…"


class Chrome:
    """The chrome of one page: site name, other articles for tickers and lists, a seeded generator."""

    def __init__(self, rng, others, article):
        self.rng = rng
        self.others = others
        self.article = article
        self.site = rng.choice(SITE_NAMES)
        self.author = article.get("author") or rng.choice(AUTHORS)
        if len(self.author) > 40:
            self.author = rng.choice(AUTHORS)
        published = (article.get("published") or "2018-03-01T10:00")[:16]
        y, m, d = published[:4], int(published[5:7]), int(published[8:10])
        self.date = f"{d} {MONTHS[m - 1]} {y}"
        self.time = published[11:16]
        self.section = SECTION_OF.get(article.get("category", ""), "أخبار")
        self.cursor = 0

    def next_other(self):
        record = self.others[self.cursor % len(self.others)]
        self.cursor += 1
        return record

    def titles(self, n):
        return [self.next_other()["title"] for _ in range(n)]

    def comments(self, n):
        picks = self.rng.sample(range(len(COMMENTS)), n)
        return [(self.rng.choice(COMMENTERS), f"{self.rng.randint(1, 28)} {self.rng.choice(MONTHS)} 2018", COMMENTS[i])
                for i in picks]

    def tags(self):
        return self.rng.sample(TAG_WORDS, 4)

    # Blocks shared by several templates, each in the markup its template would use.
    def cookie_text(self):
        return ("نستخدم ملفات تعريف الارتباط (الكوكيز) لتحسين تجربتك على موقعنا وتقديم محتوى يناسب اهتماماتك. "
                "باستمرارك في تصفح الموقع فإنك توافق على سياسة الخصوصية وشروط الاستخدام.")

    def about_text(self):
        return (f"{self.site} موقع إخباري عربي مستقل يقدم آخر الأخبار العاجلة والتقارير والتحليلات من العالم العربي "
                "والعالم على مدار الساعة.")

    def author_bio(self):
        return (f"{self.author} صحفي متخصص في الشؤون السياسية والاقتصادية، عمل مراسلا في عدد من العواصم العربية "
                "ويكتب بانتظام عن قضايا المنطقة.")

    def newsletter_text(self):
        return "اشترك في النشرة البريدية لتصلك أهم الأخبار والتحليلات يوميا إلى بريدك الإلكتروني."


def head(p, c, title, extra=""):
    p.raw('<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head><meta charset="utf-8">')
    p.raw(f"<title>{html.escape(title)} | {html.escape(c.site)}</title>")
    p.raw('<meta name="viewport" content="width=device-width, initial-scale=1">')
    p.raw(f'<meta property="og:title" content="{html.escape(title)}">{extra}')
    p.raw("<style>body{font-family:Tahoma} .menu li{display:inline}</style>")
    p.raw('<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}</script>')
    p.raw("</head>\n")


def body_paragraphs(p, record, tag="p", attrs=""):
    for text in paragraphs(record):
        p.raw("\n")
        p.el(tag, "article", text, attrs)


def template_wordpress(p, c, record):
    head(p, c, record["title"])
    p.raw('<body class="post-template-default single single-post has-sidebar">\n<div id="page" class="site">')
    p.raw('<header id="masthead" class="site-header"><div class="site-branding">')
    p.el("p", "chrome", c.site, 'class="site-title"')
    p.raw('</div><nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">')
    for s in SECTIONS[:8]:
        p.raw('<li class="menu-item">'); p.link("chrome", s); p.raw("</li>")
    p.raw("</ul></nav></header>\n")
    p.raw('<div class="breaking-news"><span class="breaking-title">')
    p.text("chrome", "عاجل")
    p.raw('</span><ul class="ticker">')
    for t in c.titles(4):
        p.raw("<li>"); p.link("chrome", t); p.raw("</li>")
    p.raw("</ul></div>\n")
    p.raw('<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">')
    p.raw('<nav class="breadcrumbs">'); p.link("chrome", "الرئيسية"); p.text("chrome", " » ")
    p.link("chrome", c.section); p.raw("</nav>")
    p.raw('<article id="post-4512" class="post-4512 post type-post status-publish format-standard has-post-thumbnail '
          'category-news tag-social-media tag-politics">')
    p.raw('<header class="entry-header">')
    p.el("h1", "neutral", record["title"], 'class="entry-title"')
    p.raw('<div class="entry-meta"><span class="byline">'); p.text("chrome", "بقلم ")
    p.link("chrome", c.author); p.raw('</span> <span class="posted-on">')
    p.el("time", "chrome", f"{c.date} - {c.time}", 'class="entry-date published"')
    p.raw("</span></div></header>\n")
    p.raw('<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">')
    p.text("chrome", "شارك هذا المقال:")
    p.raw('</h3><ul>')
    for s in ["فيسبوك", "تويتر", "واتساب", "تيليجرام"]:
        p.raw("<li>"); p.link("chrome", s); p.raw("</li>")
    p.raw("</ul></div>\n")
    p.raw('<div class="entry-content">')
    body_paragraphs(p, record)
    p.raw("\n</div>")
    p.raw('<footer class="entry-footer"><span class="tags-links">'); p.text("chrome", "الوسوم: ")
    for t in c.tags():
        p.link("chrome", t); p.text("chrome", "، ")
    p.raw("</span></footer></article>\n")
    p.raw('<div class="author-info"><h2 class="author-title">'); p.text("chrome", f"عن الكاتب {c.author}")
    p.raw('</h2><p class="author-bio">'); p.text("chrome", c.author_bio()); p.raw("</p></div>\n")
    p.raw('<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">')
    p.text("chrome", "مقالات ذات صلة"); p.raw("</h3>")
    for _ in range(3):
        other = c.next_other()
        p.raw('<div class="jp-relatedposts-post"><h4>'); p.link("chrome", other["title"]); p.raw("</h4><p>")
        p.text("chrome", first_sentence(other)); p.raw("</p></div>")
    p.raw("</div>\n")
    p.raw('<div id="comments" class="comments-area"><h2 class="comments-title">')
    comments = c.comments(3)
    p.text("chrome", f"{len(comments)} تعليقات على “{record['title']}”"); p.raw('</h2><ol class="comment-list">')
    for name, date, text in comments:
        p.raw('<li class="comment"><article class="comment-body"><footer class="comment-meta"><b class="fn">')
        p.text("chrome", name); p.raw('</b> <time>'); p.text("chrome", date); p.raw("</time></footer>")
        p.raw('<div class="comment-content"><p>'); p.text("chrome", text); p.raw("</p></div>")
        p.raw('<div class="reply">'); p.link("chrome", "رد"); p.raw("</div></article></li>")
    p.raw('</ol><div id="respond" class="comment-respond"><h3 id="reply-title">'); p.text("chrome", "اترك تعليقاً")
    p.raw('</h3><form id="commentform"><p class="comment-notes">')
    p.text("chrome", "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *")
    p.raw('</p><textarea name="comment"></textarea><input type="submit" value="إرسال التعليق"></form></div></div>\n')
    p.raw("</main></div>\n")
    p.raw('<aside id="secondary" class="widget-area"><section class="widget widget_popular"><h2 class="widget-title">')
    p.text("chrome", "الأكثر قراءة"); p.raw("</h2><ul>")
    for t in c.titles(5):
        p.raw("<li>"); p.link("chrome", t); p.raw("</li>")
    p.raw('</ul></section><section class="widget widget_text"><h2 class="widget-title">')
    p.text("chrome", "النشرة البريدية"); p.raw('</h2><div class="textwidget"><p>')
    p.text("chrome", c.newsletter_text()); p.raw("</p></div></section></aside></div>\n")
    p.raw('<footer id="colophon" class="site-footer"><div class="site-info"><p>')
    p.text("chrome", c.about_text()); p.raw("</p>")
    for s in ["من نحن", "اتصل بنا", "سياسة الخصوصية", "أعلن معنا"]:
        p.link("chrome", s); p.raw(" | ")
    p.raw("<p>"); p.text("chrome", f"© 2018 {c.site}. جميع الحقوق محفوظة."); p.raw("</p></div></footer></div>\n")
    p.raw('<div id="cookie-notice" class="cn-bottom"><span id="cn-notice-text">'); p.text("chrome", c.cookie_text())
    p.raw('</span><a id="cn-accept-cookie" class="cn-button">'); p.text("chrome", "موافق"); p.raw("</a></div>")
    p.raw('<script src="/wp-includes/js/wp-embed.min.js"></script></body></html>\n')


def template_divsoup(p, c, record):
    """Generated class names only: no semantic markup, body text separated by <br><br>."""
    head(p, c, record["title"])
    p.raw('<body><div class="x1a"><div class="x1b">')
    p.el("div", "chrome", c.site, 'class="x2"')
    p.raw('<div class="x3">')
    for s in SECTIONS:
        p.link("chrome", s); p.raw(" ")
    p.raw('</div></div>\n<div class="x4"><div class="x4a">'); p.text("chrome", "آخر الأخبار"); p.raw("</div>")
    p.raw('<marquee class="x4b">')
    for t in c.titles(5):
        p.link("chrome", t); p.raw(" ◆ ")
    p.raw("</marquee></div>\n")
    p.raw('<div class="x5"><div class="x6 col-md-8">')
    p.el("div", "neutral", record["title"], 'class="x7"')
    p.raw('<div class="x8">'); p.text("chrome", f"كتب: {c.author}"); p.raw("<br>")
    p.text("chrome", f"{c.date} {c.time}"); p.raw("</div>")
    p.raw('<div class="x9">'); p.link("chrome", "فيسبوك"); p.link("chrome", "تويتر"); p.link("chrome", "واتساب")
    p.raw("</div>\n")
    p.raw('<div class="x10">')
    for i, text in enumerate(paragraphs(record)):
        if i:
            p.raw("<br><br>\n")
        p.text("article", text)
    p.raw("</div>\n")
    p.raw('<div class="x11">'); p.text("chrome", "اقرأ أيضا")
    for _ in range(3):
        other = c.next_other()
        p.raw('<div class="x12">'); p.link("chrome", other["title"]); p.raw("<div>")
        p.text("chrome", first_sentence(other)); p.raw("</div></div>")
    p.raw("</div>\n")
    comments = c.comments(3)
    p.raw('<div class="x13"><div class="x14">'); p.text("chrome", f"التعليقات ({len(comments)})"); p.raw("</div>")
    for name, date, text in comments:
        p.raw('<div class="x15"><div class="x16">'); p.text("chrome", f"{name} - {date}"); p.raw("</div><div>")
        p.text("chrome", text); p.raw("</div></div>")
    p.raw("</div></div>\n")
    p.raw('<div class="x17 col-md-4"><div class="x18">'); p.text("chrome", "الأكثر قراءة"); p.raw("</div>")
    for i, t in enumerate(c.titles(5), 1):
        p.raw('<div class="x19"><span>'); p.text("chrome", str(i)); p.raw("</span> "); p.link("chrome", t)
        p.raw("</div>")
    p.raw('<div class="x20">'); p.text("chrome", "إعلان"); p.raw("</div></div></div>\n")
    p.raw('<div class="x21"><div>'); p.text("chrome", c.about_text()); p.raw("</div><div>")
    for s in ["من نحن", "اتصل بنا", "سياسة الخصوصية"]:
        p.link("chrome", s); p.raw(" - ")
    p.raw("</div><div>"); p.text("chrome", f"جميع الحقوق محفوظة © {c.site} 2018"); p.raw("</div></div>\n")
    p.raw('<div class="x22" style="position:fixed;bottom:0">'); p.text("chrome", c.cookie_text())
    p.raw('<span class="x23">'); p.text("chrome", "أوافق"); p.raw("</span></div>")
    p.raw("</div></body></html>\n")


def template_html5(p, c, record):
    """Semantic HTML5: header, nav, main, article, aside, footer; the main column is a `has-sidebar` layout."""
    head(p, c, record["title"])
    p.raw('<body class="page-article">\n<header class="top"><a class="logo" href="/">')
    p.text("chrome", c.site); p.raw("</a><nav><ul>")
    for s in SECTIONS[:7]:
        p.raw("<li>"); p.link("chrome", s); p.raw("</li>")
    p.raw('</ul></nav><form role="search"><input type="search" placeholder="بحث"></form></header>\n')
    p.raw('<main class="layout has-sidebar">')
    p.raw('<article class="story">')
    p.raw('<header><ol class="crumbs">')
    for s in ["الرئيسية", c.section]:
        p.raw("<li>"); p.link("chrome", s); p.raw("</li>")
    p.raw("</ol>")
    p.el("h1", "neutral", record["title"])
    p.raw('<p class="meta">'); p.text("chrome", f"{c.author} | ")
    p.el("time", "chrome", f"نشر في {c.date}"); p.raw("</p></header>\n")
    p.raw('<figure><img src="/img/1.jpg" alt=""><figcaption>')
    p.text("neutral", "صورة أرشيفية")
    p.raw("</figcaption></figure>\n")
    body = paragraphs(record)
    p.raw('<section class="story-body">')
    for i, text in enumerate(body):
        p.raw("\n"); p.el("p", "article", text)
        if i == len(body) // 2:
            p.raw('<aside class="inline-related"><h3>'); p.text("chrome", "اقرأ أيضا"); p.raw("</h3>")
            p.link("chrome", c.next_other()["title"]); p.raw("</aside>")
    p.raw("\n</section>")
    p.raw('<ul class="tags">')
    for t in c.tags():
        p.raw("<li>"); p.link("chrome", t); p.raw("</li>")
    p.raw("</ul></article>\n")
    comments = c.comments(2)
    p.raw('<section class="reader-comments"><h2>'); p.text("chrome", "آراء القراء"); p.raw("</h2>")
    for name, date, text in comments:
        p.raw("<article><h4>"); p.text("chrome", name); p.raw("</h4><p>"); p.text("chrome", text); p.raw("</p></article>")
    p.raw("</section>\n")
    p.raw('<aside class="sidebar"><section><h2>'); p.text("chrome", "الأكثر قراءة"); p.raw("</h2><ol>")
    for t in c.titles(5):
        p.raw("<li>"); p.link("chrome", t); p.raw("</li>")
    p.raw("</ol></section><section><h2>"); p.text("chrome", "أخبار ذات صلة"); p.raw("</h2>")
    for _ in range(2):
        other = c.next_other()
        p.raw("<article><h3>"); p.link("chrome", other["title"]); p.raw("</h3><p>")
        p.text("chrome", first_sentence(other)); p.raw("</p></article>")
    p.raw("</section></aside></main>\n")
    p.raw("<footer><p>"); p.text("chrome", c.about_text()); p.raw("</p><p>")
    p.text("chrome", f"© {c.site} 2018 جميع الحقوق محفوظة"); p.raw("</p></footer>\n")
    p.raw('<div class="consent" role="dialog"><p>'); p.text("chrome", c.cookie_text()); p.raw("</p><button>")
    p.text("chrome", "قبول"); p.raw("</button></div></body></html>\n")


def template_table(p, c, record):
    """An old portal laid out with nested tables and <font>; body text in one cell, <br> between paragraphs."""
    head(p, c, record["title"])
    p.raw('<body bgcolor="#ffffff"><table width="980" border="0" cellpadding="0" cellspacing="0" align="center">')
    p.raw('<tr><td colspan="3" class="hdr"><font size="5">'); p.text("chrome", c.site); p.raw("</font></td></tr>\n<tr>")
    p.raw('<td colspan="3" bgcolor="#003366">')
    for s in SECTIONS[:8]:
        p.raw('<font color="white">'); p.link("chrome", s); p.raw("</font> | ")
    p.raw("</td></tr>\n<tr>")
    p.raw('<td width="180" valign="top"><table><tr><td><b>'); p.text("chrome", "أقسام الموقع"); p.raw("</b></td></tr>")
    for s in SECTIONS[3:]:
        p.raw("<tr><td>"); p.link("chrome", s); p.raw("</td></tr>")
    p.raw("</table></td>\n")
    p.raw('<td width="600" valign="top"><table width="100%"><tr><td>')
    p.el("font", "neutral", record["title"], 'size="4" color="#990000"')
    p.raw("</td></tr><tr><td><font size=\"1\">"); p.text("chrome", f"{c.date} | {c.author}")
    p.raw("</font></td></tr>\n<tr><td class=\"txt\"><font size=\"3\">")
    for i, text in enumerate(paragraphs(record)):
        if i:
            p.raw("<br>\n<br>")
        p.text("article", text)
    p.raw("</font></td></tr>\n<tr><td>"); p.link("chrome", "طباعة"); p.raw(" | ")
    p.link("chrome", "أرسل لصديق"); p.raw(" | "); p.link("chrome", "أضف تعليق")
    p.raw("</td></tr>\n<tr><td><b>"); p.text("chrome", "أخبار ذات صلة"); p.raw("</b><br>")
    for t in c.titles(4):
        p.raw("- "); p.link("chrome", t); p.raw("<br>")
    p.raw("</td></tr></table></td>\n")
    p.raw('<td width="200" valign="top"><table><tr><td bgcolor="#eeeeee"><b>'); p.text("chrome", "الأكثر قراءة")
    p.raw("</b></td></tr>")
    for t in c.titles(5):
        p.raw("<tr><td>"); p.link("chrome", t); p.raw("</td></tr>")
    p.raw('<tr><td bgcolor="#eeeeee"><b>'); p.text("chrome", "استطلاع الرأي"); p.raw("</b></td></tr><tr><td>")
    p.text("chrome", "هل تتوقع تحسن الأوضاع الاقتصادية خلال العام المقبل؟"); p.raw("<br>")
    for s in ["نعم", "لا", "لا أعرف"]:
        p.raw('<input type="radio"> '); p.text("chrome", s); p.raw("<br>")
    p.raw("</td></tr></table></td></tr>\n")
    p.raw('<tr><td colspan="3" align="center"><font size="1">')
    p.text("chrome", f"جميع الحقوق محفوظة لـ {c.site} © 2018 - يمنع النقل دون ذكر المصدر")
    p.raw("</font></td></tr></table></body></html>\n")


def template_amp(p, c, record):
    """An AMP article: amp-sidebar menu, amp-social-share, amp-carousel of related stories, amp-consent."""
    head(p, c, record["title"], '<script async src="https://cdn.ampproject.org/v0.js"></script>')
    p.raw('<body><amp-sidebar id="menu" layout="nodisplay" side="right"><ul>')
    for s in SECTIONS:
        p.raw("<li>"); p.link("chrome", s); p.raw("</li>")
    p.raw('</ul></amp-sidebar>\n<div class="amp-wp-header"><div>'); p.link("chrome", c.site)
    p.raw("</div></div>\n")
    p.raw('<article class="amp-wp-article">')
    p.raw('<header class="amp-wp-article-header">')
    p.el("h1", "neutral", record["title"], 'class="amp-wp-title"')
    p.raw('<div class="amp-wp-meta amp-wp-byline"><span class="amp-wp-author author vcard">')
    p.text("chrome", c.author); p.raw('</span></div><div class="amp-wp-meta amp-wp-posted-on"><time>')
    p.text("chrome", f"{c.date} {c.time}"); p.raw("</time></div></header>\n")
    p.raw('<amp-img src="/img/2.jpg" width="600" height="400" layout="responsive"></amp-img>')
    p.raw('<div class="amp-wp-article-content">')
    body = paragraphs(record)
    for i, text in enumerate(body):
        p.raw("\n"); p.el("p", "article", text)
        if i == 1:
            p.raw('<amp-ad width="300" height="250" type="doubleclick"><div placeholder>')
            p.text("chrome", "إعلان"); p.raw("</div></amp-ad>")
    p.raw("\n</div>")
    p.raw('<footer class="amp-wp-article-footer"><div class="amp-wp-meta amp-wp-tax-tag">')
    p.text("chrome", "الوسوم: ")
    for t in c.tags():
        p.link("chrome", t); p.text("chrome", "، ")
    p.raw('</div><div class="amp-wp-meta amp-wp-social-share">')
    for s in ["facebook", "twitter", "whatsapp"]:
        p.raw(f'<amp-social-share type="{s}"></amp-social-share>')
    p.raw('</div><div class="amp-wp-comments-link">'); p.link("chrome", "اترك تعليقا"); p.raw("</div></footer></article>\n")
    p.raw('<div class="amp-related-posts"><h2>'); p.text("chrome", "قد يهمك أيضا")
    p.raw('</h2><amp-carousel height="300" layout="fixed-height" type="carousel">')
    for _ in range(3):
        other = c.next_other()
        p.raw('<div class="slide">'); p.link("chrome", other["title"]); p.raw("<p>")
        p.text("chrome", first_sentence(other)); p.raw("</p></div>")
    p.raw("</amp-carousel></div>\n")
    p.raw('<footer class="amp-wp-footer"><div><p>'); p.text("chrome", f"© 2018 {c.site}"); p.raw("</p>")
    p.link("chrome", "العودة إلى الأعلى"); p.raw("</div></footer>\n")
    p.raw('<amp-consent id="consent" layout="nodisplay"><div class="popupElement">')
    p.text("chrome", c.cookie_text()); p.raw("<button on=\"tap:consent.accept\">"); p.text("chrome", "موافق")
    p.raw("</button></div></amp-consent></body></html>\n")


def template_portal(p, c, record):
    """A big news portal: the article wrapper's classes name social features, the lead stands in its own block,
    «اقرأ أيضا» boxes and an ad sit between paragraphs, and a long live ticker runs at the top."""
    head(p, c, record["title"])
    p.raw('<body class="portal"><div class="top-strip"><span>'); p.text("chrome", c.date)
    p.raw("</span> <span>"); p.text("chrome", "القاهرة 24°"); p.raw("</span></div>\n")
    p.raw('<div class="navbar"><div class="logo">'); p.text("chrome", c.site); p.raw('</div><ul class="nav">')
    for s in SECTIONS:
        p.raw("<li>"); p.link("chrome", s); p.raw("</li>")
    p.raw("</ul></div>\n")
    p.raw('<div class="live-bar"><b>'); p.text("chrome", "مباشر"); p.raw("</b>")
    for t in c.titles(6):
        p.raw('<div class="live-item"><span>'); p.text("chrome", f"{c.rng.randint(10, 23)}:{c.rng.randint(10, 59)}")
        p.raw("</span> "); p.text("chrome", t); p.raw("</div>")
    p.raw("</div>\n")
    p.raw('<div class="container"><div class="row"><div class="col-8">')
    p.raw('<div class="article-wrap social-media-tools has-sidebar with-comments">')
    p.raw('<div class="article-head"><div class="article-section">'); p.link("chrome", c.section); p.raw("</div>")
    p.el("h1", "neutral", record["title"])
    p.raw('<div class="article-info"><span class="writer">'); p.text("chrome", f"كتب - {c.author}")
    p.raw('</span><span class="date">'); p.text("chrome", f"الأحد، {c.date} {c.time} م"); p.raw("</span></div></div>\n")
    body = paragraphs(record)
    p.raw('<div class="article-lead"><p>'); p.text("article", body[0]); p.raw("</p></div>\n")
    p.raw('<div class="article-share-top">'); p.link("chrome", "مشاركة"); p.link("chrome", "حفظ")
    p.raw("</div>\n")
    p.raw('<div class="article-text">')
    for i, text in enumerate(body[1:], 1):
        p.raw("\n"); p.el("p", "article", text)
        if i == 2:
            p.raw('<div class="read-also"><span>'); p.text("chrome", "اقرأ أيضا:"); p.raw("</span> ")
            p.link("chrome", c.next_other()["title"]); p.raw("</div>")
        if i == 3:
            p.raw('<div class="ad-slot"><span>'); p.text("chrome", "إعلان"); p.raw("</span></div>")
    p.raw("\n</div>")
    p.raw('<div class="article-source">'); p.text("chrome", "المصدر: وكالات"); p.raw("</div>\n")
    comments = c.comments(4)
    p.raw('<div class="fb-comments-box"><div class="box-title">'); p.text("chrome", "تعليقات فيسبوك"); p.raw("</div>")
    for name, date, text in comments:
        p.raw('<div class="c-item"><b>'); p.text("chrome", name); p.raw("</b><p>"); p.text("chrome", text)
        p.raw("</p><small>"); p.text("chrome", date); p.raw("</small></div>")
    p.raw("</div></div></div>\n")
    p.raw('<div class="col-4"><div class="box"><div class="box-title">'); p.text("chrome", "الأكثر قراءة")
    p.raw("</div>")
    for t in c.titles(5):
        p.raw('<div class="box-item">'); p.link("chrome", t); p.raw("</div>")
    p.raw('</div><div class="box"><div class="box-title">'); p.text("chrome", "ننصحك بقراءة"); p.raw("</div>")
    for _ in range(2):
        other = c.next_other()
        p.raw('<div class="box-item">'); p.link("chrome", other["title"]); p.raw("<p>")
        p.text("chrome", first_sentence(other)); p.raw("</p></div>")
    p.raw("</div></div></div></div>\n")
    p.raw('<div class="site-bottom"><div class="links">')
    for s in ["من نحن", "اتصل بنا", "سياسة الخصوصية", "شروط الاستخدام", "خريطة الموقع"]:
        p.link("chrome", s)
    p.raw("</div><p>"); p.text("chrome", c.about_text()); p.raw("</p><p>")
    p.text("chrome", f"جميع الحقوق محفوظة © 2018 {c.site}"); p.raw("</p></div>\n")
    p.raw('<div class="gdpr-bar"><p>'); p.text("chrome", c.cookie_text()); p.raw('</p><a class="btn">')
    p.text("chrome", "حسنا"); p.raw("</a></div></body></html>\n")


def template_magazine(p, c, record):
    """A magazine layout: the story lives in sections of a `tag-social-media` wrapper, with a newsletter box
    between its parts, an author box after it, and a comments thread with replies."""
    head(p, c, record["title"])
    p.raw('<body><div id="wrapper"><div class="masthead"><h2 class="brand">'); p.text("chrome", c.site)
    p.raw('</h2><div class="sections">')
    for s in SECTIONS[:6]:
        p.link("chrome", s); p.raw(" · ")
    p.raw("</div></div>\n")
    p.raw('<div class="story-page tag-social-media sidebar-right"><div class="story-main">')
    p.raw('<div class="kicker">'); p.text("chrome", c.section); p.raw("</div>")
    p.el("h1", "neutral", record["title"])
    p.raw('<div class="by">'); p.text("chrome", f"بقلم: {c.author}"); p.raw("</div>")
    p.raw('<div class="when">'); p.text("chrome", f"آخر تحديث: {c.date}"); p.raw("</div>\n")
    body = paragraphs(record)
    half = (len(body) + 1) // 2
    p.raw('<div class="story-part">')
    for text in body[:half]:
        p.raw("\n"); p.el("p", "article", text)
    p.raw("</div>\n")
    p.raw('<div class="newsletter-inline"><p>'); p.text("chrome", c.newsletter_text()); p.raw("</p>")
    p.raw('<input type="email"><button>'); p.text("chrome", "اشترك"); p.raw("</button></div>\n")
    p.raw('<div class="story-part">')
    for text in body[half:]:
        p.raw("\n"); p.el("p", "article", text)
    p.raw("</div>\n")
    p.raw('<div class="writer-box"><b>'); p.text("chrome", c.author); p.raw("</b><p>"); p.text("chrome", c.author_bio())
    p.raw("</p></div></div>\n")
    p.raw('<div class="story-side"><h3>'); p.text("chrome", "الأكثر قراءة"); p.raw("</h3>")
    for t in c.titles(5):
        p.raw("<p>"); p.link("chrome", t); p.raw("</p>")
    p.raw("</div></div>\n")
    comments = c.comments(4)
    p.raw('<div class="discussion"><h3>'); p.text("chrome", f"{len(comments)} تعليقات"); p.raw("</h3>")
    for k, (name, date, text) in enumerate(comments):
        p.raw('<div class="post' + (' reply' if k % 2 else '') + '"><span class="who">'); p.text("chrome", name)
        p.raw('</span><span class="at">'); p.text("chrome", date); p.raw("</span><p>"); p.text("chrome", text)
        p.raw("</p></div>")
    p.raw("</div>\n")
    p.raw('<div class="bottom"><p>'); p.text("chrome", c.about_text()); p.raw("</p><p>")
    p.text("chrome", f"© {c.site} 2018"); p.raw("</p></div>\n")
    p.raw('<div class="privacy-popup"><p>'); p.text("chrome", c.cookie_text()); p.raw("</p><a>")
    p.text("chrome", "موافق"); p.raw("</a></div></div></body></html>\n")


BUILDERS = {
    "wordpress": template_wordpress, "divsoup": template_divsoup, "html5": template_html5, "table": template_table,
    "amp": template_amp, "portal": template_portal, "magazine": template_magazine,
}


def main():
    root = os.path.dirname(os.path.abspath(__file__))
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "../../../shared/corpus/ant/articles.jsonl.gz")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "gold")
    os.makedirs(out, exist_ok=True)
    rows = read_corpus(corpus)
    chosen = pick_articles(rows)
    # Chrome that reads like news: other articles, in hash order, never one of the wrapped articles.
    wrapped = {chosen[s][i]["id"] for s in SOURCES for i in range(len(TEMPLATES))}
    others = sorted((r for r in rows if r.get("title") and r["id"] not in wrapped and len(paragraphs(r)) > 0),
                    key=key)[:400]
    number = 0
    for t, template in enumerate(TEMPLATES):
        for s, source in enumerate(SOURCES):
            number += 1
            record = chosen[source][t]
            rng = random.Random(1000 * t + s)
            chrome = Chrome(rng, others[(number * 13) % 300:], record)
            page = Page()
            BUILDERS[template](page, chrome, record)
            name = f"{number:02d}-{template}-{source.lower()}"
            with open(os.path.join(out, name + ".html"), "w", encoding="utf-8") as f:
                f.write(page.html())
            gold = {
                "template": template, "source": source, "article_id": record["id"], "title": record["title"],
                "article_text": "\n".join(paragraphs(record)), "segments": page.segments,
            }
            with open(os.path.join(out, name + ".json"), "w", encoding="utf-8") as f:
                json.dump(gold, f, ensure_ascii=False, indent=1)
                f.write("\n")
    print(f"{number} pages in {out}")


if __name__ == "__main__":
    main()
