/// Recognises lines of site chrome in page text: breadcrumbs, "more" links, share and comment prompts, the
/// e-mail notice of comment forms, "back to top", copyright and subscription lines, and (before the first
/// paragraph) bylines and datelines, in Arabic, English and French.
///
/// Lines are compared in a folded form: Arabic-normalised, lowercased, trailing punctuation and spaces removed.
enum Boilerplate {
    /// Whole lines that are chrome.
    static let exactLines: Set<WordKey> = Set([
        "المزيد", "اقرأ المزيد", "اقرأ أيضا", "اقرأ أيضاً", "إقرأ أيضا", "اقرأ ايضا", "اترك تعليقاً", "اترك تعليقا",
        "اترك رداً", "أضف تعليقاً", "أضف تعليق", "التعليقات", "تعليقات", "تعليق", "شارك", "شارك المقال", "شارك الخبر",
        "شارك هذا المقال", "مشاركة", "شارك عبر", "زر الذهاب إلى الأعلى", "العودة إلى الأعلى", "الرئيسية", "اشترك",
        "اشترك الآن", "تابعونا", "تابعنا", "مواضيع ذات صلة", "أخبار ذات صلة", "مقالات ذات صلة", "إعلان", "طباعة", "أرسل",
        "إرسال", "فيسبوك", "تويتر", "واتساب", "تيليجرام", "تلغرام", "لينكدإن", "انستغرام", "يوتيوب", "نسخ الرابط",
        "more", "read more", "leave a comment", "leave a reply", "share", "share this", "share this article",
        "share on facebook", "share on twitter", "tweet", "comments", "comment", "related", "related articles",
        "related stories", "back to top", "advertisement", "subscribe", "subscribe now", "sign up", "print", "email",
        "facebook", "twitter", "whatsapp", "linkedin", "telegram", "home", "copy link", "follow us",
        "plus", "lire plus", "lire la suite", "laisser un commentaire", "laisser une réponse", "partager", "partagez",
        "commentaires", "commentaire", "retour en haut", "haut de page", "publicité", "abonnez-vous", "s'abonner",
        "imprimer", "articles similaires", "à lire aussi", "lire aussi", "accueil", "suivez-nous",
    ].map { WordKey(fold($0)) })

    /// Line beginnings that mark chrome whatever follows.
    static let prefixes: [[UInt8]] = [
        "لن يتم نشر عنوان بريدك الإلكتروني", "الحقول الإلزامية مشار إليها", "جميع الحقوق محفوظة", "حقوق النشر",
        "© ", "©", "copyright", "اشترك في النشرة", "اشترك في نشرتنا", "اشترك الآن", "اشترك في قناتنا", "تابعونا على",
        "تابعنا على", "your email address will not be published", "required fields are marked",
        "subscribe to our newsletter", "sign up for our newsletter", "follow us on",
        "votre adresse e-mail ne sera pas publiée", "votre adresse de messagerie ne sera pas publiée",
        "les champs obligatoires sont indiqués", "abonnez-vous à notre newsletter", "inscrivez-vous à notre newsletter",
        "suivez-nous sur",
    ].map { Array(fold($0).utf8) }

    /// Phrases that make a short line chrome wherever they stand in it.
    static let containedInShortLine: [[UInt8]] = [
        "جميع الحقوق محفوظة", "all rights reserved", "tous droits réservés", "©",
    ].map { Array(fold($0).utf8) }

    /// Section names that site breadcrumbs are made of (folded; matched concatenated or separated).
    static let sectionNames: [[Unicode.Scalar]] = [
        "العالم العربي", "عربي ودولي", "عربي", "دولي", "العالم", "فلسطين", "مصر", "سوريا", "لبنان", "العراق", "الأردن",
        "السعودية", "الخليج", "اليمن", "ليبيا", "تونس", "الجزائر", "المغرب", "السودان", "إسرائيل", "إيران", "تركيا",
        "أخبار", "الأخبار", "سياسة", "السياسة", "اقتصاد", "الاقتصاد", "رياضة", "الرياضة", "ثقافة", "الثقافة", "فن",
        "منوعات", "تكنولوجيا", "صحة", "الصحة", "الرئيسية", "محليات", "مقالات", "رأي", "تقارير", "حوارات", "الشرق الأوسط",
        "أوروبا", "أمريكا", "آسيا", "أفريقيا", "home", "news", "world", "politics", "business", "sport", "sports",
        "middle east", "europe", "africa", "accueil", "monde", "actualités", "international", "politique", "économie",
        "culture", "moyen-orient",
    ].map { Array(fold($0).unicodeScalars.filter { $0 != " " }) }.sorted { $0.count > $1.count }

    /// Beginnings of bylines and datelines ("بقلم: ...", "آخر تحديث: ..."), looked for before the first paragraph.
    static let bylinePrefixes: [[UInt8]] = [
        "بقلم", "كتب:", "كتب -", "كتب-", "كتب –", "كتبت:", "كتبت -", "تحرير:", "إعداد:", "تاريخ النشر", "نشر في",
        "نشر بتاريخ", "آخر تحديث", "تم النشر", "by ", "published", "updated", "last updated", "posted on", "par ",
        "publié le", "mis à jour",
    ].map { Array(fold($0).utf8) }

    /// Month names (folded) that make a short line with a year a dateline.
    static let monthNames: [[UInt8]] = [
        "يناير", "فبراير", "مارس", "أبريل", "إبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر",
        "ديسمبر", "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
        "تشرين الثاني", "كانون الأول", "جانفي", "فيفري", "أفريل", "ماي", "جوان", "جويلية", "أوت", "january",
        "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
        "décembre",
    ].map { Array(fold($0).utf8) }

    /// A byline or dateline: a line of at most 12 words before the first paragraph that begins with a byline cue,
    /// or of at most 8 words holding a month name and a year (19xx or 20xx).
    static func isByline(_ folded: String) -> Bool {
        let bytes = Array(folded.utf8)
        guard bytes.count <= 160 else { return false }
        var words = 0
        var inWord = false
        for c in bytes {
            if c == 0x20 { inWord = false } else if !inWord { inWord = true; words += 1 }
        }
        if words <= 12 && bylinePrefixes.contains(where: { bytes.starts(with: $0) }) { return true }
        guard words <= 8 else { return false }
        var hasYear = false
        var k = 0
        while k + 3 < bytes.count {
            let c0 = bytes[k], c1 = bytes[k + 1]
            if (c0 == 0x31 && c1 == 0x39) || (c0 == 0x32 && c1 == 0x30),
               (0x30...0x39).contains(bytes[k + 2]), (0x30...0x39).contains(bytes[k + 3]),
               k == 0 || !(0x30...0x39).contains(bytes[k - 1]),
               k + 4 == bytes.count || !(0x30...0x39).contains(bytes[k + 4]) {
                hasYear = true
                break
            }
            k += 1
        }
        return hasYear && monthNames.contains { HTMLTextExtractor.find($0, in: bytes, from: 0) != nil }
    }

    static let separators: Set<Unicode.Scalar> = [" ", ">", "›", "»", "«", "/", "|", "-", "•", "·", "<", "‹", "\t"]

    /// The folded form of a line: normalised, lowercased, without trailing punctuation, ellipsis or spaces.
    static func fold(_ line: String) -> String {
        var s = ArabicNormalizer.normalize(line)
        if s.utf8.contains(where: { ($0 >= 0x41 && $0 <= 0x5A) || $0 >= 0xC3 && $0 <= 0xC5 }) { s = s.lowercased() }
        // Trimmed on the bytes: the characters removed are all ASCII except "…" (E2 80 A6).
        let b = Array(s.utf8)
        var start = 0
        var end = b.count
        while start < end && b[start] == 0x20 { start += 1 }
        while end > start {
            let c = b[end - 1]
            if c == 0x20 || c == 0x2E || c == 0x3A || c == 0x21 || c == 0x2A {
                end -= 1
            } else if c == 0xA6 && end - start >= 3 && b[end - 2] == 0x80 && b[end - 3] == 0xE2 {
                end -= 3
            } else {
                break
            }
        }
        if start == 0 && end == b.count { return s }
        return String(decoding: b[start..<end], as: UTF8.self)
    }

    /// True when the line is chrome. `nearTop`: the line comes before the article's first paragraph, where
    /// breadcrumbs stand.
    static func isChrome(_ line: String, nearTop: Bool) -> Bool {
        // Chrome is short; the longest line known (the comment form's e-mail notice) is under 200 bytes.
        if line.utf8.count > 240 { return false }
        let f = fold(line)
        if f.isEmpty { return true }
        if exactLines.contains(WordKey(f)) { return true }
        let bytes = Array(f.utf8)
        if prefixes.contains(where: { bytes.starts(with: $0) }) { return true }
        if bytes.count < 200 && containedInShortLine.contains(where: { HTMLTextExtractor.find($0, in: bytes, from: 0) != nil }) { return true }
        if nearTop && isByline(f) { return true }
        return isBreadcrumb(f, nearTop: nearTop)
    }

    /// A breadcrumb: only section names, concatenated or joined by separators, at least two of them (one
    /// suffices near the top when separators are used), or a short line with two or more " > " style separators.
    static func isBreadcrumb(_ folded: String, nearTop: Bool) -> Bool {
        let scalars = Array(folded.unicodeScalars)
        guard scalars.count <= 80 else { return false }
        var i = 0
        var names = 0
        var sawSeparator = false
        while i < scalars.count {
            if separators.contains(scalars[i]) {
                if scalars[i] != " " { sawSeparator = true }
                i += 1
                continue
            }
            // Longest section name at i; names may be written with or without their inner space.
            var matched = 0
            for name in sectionNames {
                var k = 0, j = i
                while k < name.count && j < scalars.count {
                    if scalars[j] == " " && k > 0 { j += 1; continue }
                    if scalars[j] != name[k] { break }
                    k += 1; j += 1
                }
                if k == name.count { matched = j - i; break }
            }
            if matched == 0 { break }
            names += 1
            i += matched
        }
        if i == scalars.count && (names >= 2 || (nearTop && names >= 1 && sawSeparator)) {
            // A lone pair of names separated by a space is a phrase, not a breadcrumb, unless concatenated.
            return nearTop || sawSeparator
        }
        let hardSeparators = scalars.filter { $0 == ">" || $0 == "›" || $0 == "»" || $0 == "|" }.count
        return hardSeparators >= 2 && scalars.count <= 60
    }
}
