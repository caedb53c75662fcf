import ArticleAnalysis
import Foundation
import GRDB

/// Online story clustering: each new article version joins the story of its most similar recent article, or
/// starts a story of its own.
///
/// Candidates come only from the inverted index `term_postings`, each term's postings read within
/// `window` of the article's time and at most `postingsPerTerm` of them, so the work per article is bounded by
/// its term count (`ArticleFacts.storyEntityTerms + storyKeywordTerms + bands`), not by the size of the store.
///
/// - Near duplicates: an article sharing a minhash band (`bands` bands of `rowsPerBand` values) with a candidate
///   whose minhash signatures agree in at least `nearDuplicateSimilarity` of places joins its story.
/// - Otherwise similarity is weighted Dice over story terms, a term weighing `ln((N + 1) / (df + 1))` with N
///   the articles stored and df those carrying the term: `2 * shared weight / (weight of one + weight of other)`.
///   The best candidate's story is joined when the similarity reaches `similarity` over at least
///   `minimumSharedTerms` shared terms.
///
/// Invariant: a story's `articles` is the number of `articles` rows pointing at it, `story_terms` counts the
/// story terms of those rows, and a story with no article is deleted.
enum StoryClustering {
    struct Parameters: Sendable, Hashable {
        /// How far apart in article time two articles of one story may be.
        var windowMilliseconds: Int64 = 3 * 86_400_000
        var similarity: Double = 0.15
        var minimumSharedTerms = 2
        var postingsPerTerm = 64
        /// Candidates whose similarity is computed in full, the most promising first.
        var candidatesScored = 24
        var nearDuplicateSimilarity = 0.6
        var rowsPerBand = 4
        /// The bands of a signature: as many as its `Fingerprinter.signatureLength` values fill.
        var bands: Int { Fingerprinter.signatureLength / rowsPerBand }

        init() {}
    }

    /// The weight of each of an article's story terms as the store stands before the article is indexed, and the
    /// number of each that the store already holds, keyed by bytes (`BinaryKey`).
    struct TermWeights {
        var weights: [BinaryKey: Double] = [:]
        /// `term_counts.term_id` of the terms some stored article carries.
        var ids: [BinaryKey: Int64] = [:]

        /// What the article's row keeps as `term_weight`.
        var total: Double { weights.values.reduce(0, +) }
    }

    /// The weights of the article's story terms; `total` is the number of articles stored, the article counted.
    static func termWeights(_ facts: ArticleFacts, total: Int, in db: Database) throws -> TermWeights {
        let terms = Array(Set(facts.storyTerms.map { BinaryKey($0.term) }))
        var counts: [BinaryKey: Int] = [:]
        var found = TermWeights()
        if !terms.isEmpty {
            var statement = DirectStatement(try db.cachedStatement(
                sql: "SELECT term, term_id, articles FROM term_counts WHERE term IN (\(databaseQuestionMarks(count: terms.count)))"))
            for term in terms { statement.bind(term.text) }
            try statement.forEachRow { row in
                let term = BinaryKey(row.text(0))
                found.ids[term] = row.integer(1)
                counts[term] = Int(row.integer(2))
            }
        }
        for term in terms { found.weights[term] = max(0, log(Double(total + 1) / Double((counts[term] ?? 0) + 1))) }
        return found
    }

    /// The articles posted under each of `terms` within `low...high`, newest first and at most `limit` each, read
    /// with one statement: element `i` of the result belongs to `terms[i]`.
    static func postings(_ terms: [Int64], low: Int64, high: Int64, limit: Int, in db: Database) throws -> [[Int64]] {
        var lists = Array(repeating: [Int64](), count: terms.count)
        guard !terms.isEmpty else { return lists }
        var statement = DirectStatement(try db.cachedStatement(sql: postingsSQL(terms: terms.count)))
        statement.bind(low)
        statement.bind(high)
        statement.bind(limit)
        for term in terms { statement.bind(term) }
        try statement.forEachRow { row in lists[Int(row.integer(0))].append(row.integer(1)) }
        return lists
    }

    /// The statement of `postings` for `terms` terms: low, high and the limit are ?1 to ?3, term `i` is `?(i + 4)`.
    /// Those of every count an article can have (its story terms and at most one band per signature value) are
    /// written once.
    private static func postingsSQL(terms: Int) -> String {
        if terms < postingsSQLByCount.count { return postingsSQLByCount[terms] }
        return makePostingsSQL(terms: terms)
    }

    private static let postingsSQLByCount =
        (0...(ArticleFacts.storyEntityTerms + ArticleFacts.storyKeywordTerms + Fingerprinter.signatureLength))
        .map(makePostingsSQL)

    private static func makePostingsSQL(terms: Int) -> String {
        (0..<terms).map { i in
            "SELECT \(i), article_id FROM (SELECT article_id FROM term_postings WHERE term = ?\(i + 4) AND time_ms BETWEEN ?1 AND ?2 ORDER BY time_ms DESC LIMIT ?3)"
        }.joined(separator: " UNION ALL ")
    }

    /// Puts the article `article` (its row already written with `weights.total`, its contributions applied) in a
    /// story and indexes its terms.
    static func assign(
        _ facts: ArticleFacts, article: Int64, weights: TermWeights, parameters p: Parameters, in db: Database
    ) throws {
        let termWeight = weights.total
        let low = facts.timeMilliseconds - p.windowMilliseconds
        let high = facts.timeMilliseconds + p.windowMilliseconds
        // A term no stored article carries has no postings to read.
        let weighted = facts.storyTerms.compactMap { term -> (id: Int64, weight: Double)? in
            let key = BinaryKey(term.term)
            guard let w = weights.weights[key], w > 0, let id = weights.ids[key] else { return nil }
            return (id, w)
        }
        let bands = bandKeys(facts.minhash, parameters: p)
        let lists = try postings(weighted.map(\.id) + bands, low: low, high: high, limit: p.postingsPerTerm, in: db)
        var shared: [Int64: (weight: Double, terms: Int)] = [:]
        for (i, term) in weighted.enumerated() {
            for other in lists[i] where other != article {
                shared[other, default: (0, 0)].weight += term.weight
                shared[other, default: (0, 0)].terms += 1
            }
        }
        var bandHits: [Int64: Int] = [:]
        for list in lists[weighted.count...] {
            for other in list where other != article { bandHits[other, default: 0] += 1 }
        }

        var chosen: Int64?
        let nearest = bandHits.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).prefix(p.candidatesScored)
        let nearCandidates = try candidates(nearest.map(\.key), in: db)
        // Compared as the candidates' rows keep their signatures.
        let kept = ArticleLedger.storedMinhash(facts.minhash)
        for (other, _) in nearest {
            guard let candidate = nearCandidates[other], let story = candidate.story else { continue }
            if minhashSimilarity(kept, ArticleLedger.minhash(blob: candidate.minhash)) >= p.nearDuplicateSimilarity {
                chosen = story
                break
            }
        }
        if chosen == nil {
            var best: (similarity: Double, story: Int64)?
            let ranked = shared.filter { $0.value.terms >= p.minimumSharedTerms }
                .sorted { ($1.value.weight, $0.key) < ($0.value.weight, $1.key) }.prefix(p.candidatesScored)
            let rankedCandidates = try candidates(ranked.map(\.key), in: db)
            for (other, overlap) in ranked {
                guard let candidate = rankedCandidates[other], let story = candidate.story else { continue }
                let similarity = 2 * overlap.weight / max(termWeight + candidate.termWeight, .leastNonzeroMagnitude)
                if similarity >= p.similarity, similarity > best?.similarity ?? -1 { best = (similarity, story) }
            }
            chosen = best?.story
        }
        let story: Int64
        if let chosen {
            story = chosen
        } else {
            // Its one article counted and its span set now: only its label waits for its terms.
            try db.cachedStatement(sql: "INSERT INTO stories (label, articles, first_ms, last_ms) VALUES ('', 1, ?, ?)")
                .execute(arguments: [facts.timeMilliseconds, facts.timeMilliseconds])
            story = db.lastInsertedRowID
        }
        try db.cachedStatement(sql: "UPDATE articles SET story_id = ? WHERE article_id = ?").execute(arguments: [story, article])

        // Bound through SQLite's C interface (`DirectStatement`): three statements a story term, one a band.
        var posting = DirectStatement(try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO term_postings (term, time_ms, article_id) VALUES (?, ?, ?)"))
        var count = DirectStatement(try db.cachedStatement(sql: """
            INSERT INTO term_counts (term, name, articles) VALUES (?, ?, 1)
            ON CONFLICT (term) DO UPDATE SET articles = articles + 1
            RETURNING term_id
            """))
        var storyTerm = DirectStatement(try db.cachedStatement(sql: """
            INSERT INTO story_terms (story_id, term_id, articles) VALUES (?, ?, 1)
            ON CONFLICT (story_id, term_id) DO UPDATE SET articles = articles + 1
            """))
        var posted: [Int64] = []
        for term in facts.storyTerms {
            count.bind(term.term)
            count.bind(term.name)
            guard let id = try count.firstInteger() else { continue }
            posted.append(id)
            storyTerm.bind(story)
            storyTerm.bind(id)
            try storyTerm.run()
        }
        for key in posted + bands {
            posting.bind(key)
            posting.bind(facts.timeMilliseconds)
            posting.bind(article)
            try posting.run()
        }
        if chosen == nil {
            // A story of one article without story terms keeps the empty label it was inserted with.
            if !facts.storyTerms.isEmpty { try relabel(story: story, in: db) }
        } else {
            try refresh(story: story, articleDelta: 1, in: db)
        }
    }

    /// What similarity reads of a candidate article.
    struct Candidate {
        var story: Int64?
        var minhash: Data?
        var termWeight: Double
    }

    /// The candidates among `articles` that are stored, by number, read with one statement.
    private static func candidates(_ articles: [Int64], in db: Database) throws -> [Int64: Candidate] {
        guard !articles.isEmpty else { return [:] }
        var statement = DirectStatement(try db.cachedStatement(sql: """
            SELECT article_id, story_id, minhash, term_weight FROM articles
            WHERE article_id IN (\(databaseQuestionMarks(count: articles.count)))
            """))
        for article in articles { statement.bind(article) }
        var found: [Int64: Candidate] = [:]
        try statement.forEachRow { row in
            found[row.integer(0)] = Candidate(story: row.integerOrNil(1), minhash: row.blob(2), termWeight: row.double(3))
        }
        return found
    }

    /// Takes the previous version (`facts`) of article `article` out of its story and out of the index, before a
    /// new version is assigned.
    static func remove(_ facts: ArticleFacts, article: Int64, parameters p: Parameters, in db: Database) throws {
        let story = try Int64.fetchOne(db, sql: "SELECT story_id FROM articles WHERE article_id = ?", arguments: [article])
        try db.execute(sql: "UPDATE articles SET story_id = NULL WHERE article_id = ?", arguments: [article])
        let number = try db.cachedStatement(sql: "SELECT term_id FROM term_counts WHERE term = ?")
        let posting = try db.cachedStatement(sql: "DELETE FROM term_postings WHERE term = ? AND time_ms = ? AND article_id = ?")
        let count = try db.cachedStatement(sql: "UPDATE term_counts SET articles = articles - 1 WHERE term_id = ?")
        let dropCount = try db.cachedStatement(sql: "DELETE FROM term_counts WHERE term_id = ? AND articles <= 0")
        let storyTerm = try db.cachedStatement(sql: "UPDATE story_terms SET articles = articles - 1 WHERE story_id = ? AND term_id = ?")
        // A story's term rows go down before the terms' counts can empty (no story holds a term no article carries).
        let ids = try facts.storyTerms.compactMap { try Int64.fetchOne(number, arguments: [$0.term]) }
        if let story {
            for id in ids { try storyTerm.execute(arguments: [story, id]) }
            try db.execute(sql: "DELETE FROM story_terms WHERE story_id = ? AND articles <= 0", arguments: [story])
        }
        for id in ids {
            try posting.execute(arguments: [id, facts.timeMilliseconds, article])
            try count.execute(arguments: [id])
            try dropCount.execute(arguments: [id])
        }
        for band in bandKeys(facts.minhash, parameters: p) {
            try posting.execute(arguments: [band, facts.timeMilliseconds, article])
        }
        guard let story else { return }
        try refresh(story: story, articleDelta: -1, in: db)
    }

    /// Recounts a story's size, span and label after an article joined or left it; deletes it when empty.
    private static func refresh(story: Int64, articleDelta: Int, in db: Database) throws {
        var count = DirectStatement(try db.cachedStatement(
            sql: "UPDATE stories SET articles = articles + ? WHERE story_id = ? RETURNING articles"))
        count.bind(articleDelta)
        count.bind(story)
        let size = try count.firstInteger() ?? 0
        if size <= 0 {
            try db.execute(sql: "DELETE FROM stories WHERE story_id = ?", arguments: [story])
            try db.execute(sql: "DELETE FROM story_terms WHERE story_id = ?", arguments: [story])
            return
        }
        try db.cachedStatement(sql: """
            UPDATE stories SET label = ?2,
                first_ms = (SELECT MIN(time_ms) FROM articles WHERE story_id = ?1),
                last_ms = (SELECT MAX(time_ms) FROM articles WHERE story_id = ?1)
            WHERE story_id = ?1
            """).execute(arguments: [story, try label(story: story, in: db)])
    }

    /// Sets a story's label alone: for a story just started, whose count and span its insertion set.
    private static func relabel(story: Int64, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE stories SET label = ? WHERE story_id = ?")
            .execute(arguments: [try label(story: story, in: db), story])
    }

    /// The names of a story's three most shared terms, entities first, the rarer first among equals.
    private static func label(story: Int64, in db: Database) throws -> String {
        var names = DirectStatement(try db.cachedStatement(sql: """
            SELECT COALESCE(c.name, c.term) FROM story_terms s CROSS JOIN term_counts c ON c.term_id = s.term_id
            WHERE s.story_id = ?
            ORDER BY s.articles DESC, substr(c.term, 1, 2) = 'e:' DESC, c.articles, c.term LIMIT 3
            """))
        names.bind(story)
        var label: [String] = []
        try names.forEachRow { label.append($0.text(0)) }
        return label.joined(separator: " · ")
    }

    /// The band and hash of each minhash band that holds a real value.
    static func bandHashes(_ minhash: [UInt32], parameters p: Parameters) -> [(band: Int, hash: UInt64)] {
        var found: [(band: Int, hash: UInt64)] = []
        for band in 0..<p.bands {
            let start = band * p.rowsPerBand
            guard start + p.rowsPerBand <= minhash.count else { break }
            let values = minhash[start..<(start + p.rowsPerBand)]
            guard values.contains(where: { $0 != UInt32.max }) else { continue }
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for v in values { h = (h ^ UInt64(v)) &* 0x0000_0100_0000_01B3 }
            found.append((band, h))
        }
        return found
    }

    /// One posting key per minhash band that holds a real value (`bandKey`): SQLite's `term_postings`.
    static func bandKeys(_ minhash: [UInt32], parameters p: Parameters) -> [Int64] {
        bandHashes(minhash, parameters: p).map { bandKey(band: $0.band, hash: $0.hash) }
    }

    /// One term per minhash band that holds a real value, `b:BAND:HASH` (hash in hexadecimal): PostgreSQL's
    /// `term_postings`, and SQLite's before v7.
    static func bandTerms(_ minhash: [UInt32], parameters p: Parameters) -> [String] {
        bandHashes(minhash, parameters: p).map { "b:\($0.band):" + String($0.hash, radix: 16) }
    }

    /// The posting key of a minhash band whose values hash to `hash`: negative, so never a story term's id, and
    /// above -2^47, so SQLite keeps it in six bytes. It holds the band (5 bits) and the hash's top 42 bits; two
    /// bands of different articles that share a key only make a candidate, whose signature is compared in full.
    static func bandKey(band: Int, hash: UInt64) -> Int64 {
        -1 - Int64((UInt64(band & 31) << 42) | (hash >> 22))
    }

    static func minhashSimilarity(_ a: [UInt32], _ b: [UInt32]) -> Double {
        let n = min(a.count, b.count)
        guard n > 0 else { return 0 }
        var same = 0
        for i in 0..<n where a[i] == b[i] && a[i] != UInt32.max { same += 1 }
        return Double(same) / Double(n)
    }
}
