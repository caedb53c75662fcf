import ArgumentParser
import ArticleAnalysis
import ArticleIngest
import Foundation
import MirsadServices
import ReportStore
import ReportViews

/// `mirsad eval stories GOLD`: clusters the gold set's articles with the report store's online clustering and
/// scores the stories pairwise against the hand-made groups, per half (tuning, reporting) and overall.
///
/// Every article of the gold set goes through one store in order of publication (then id), as a collector would
/// take them; a pair is two articles of one half, and it is positive when they share a gold group.
struct EvalStoriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stories",
        abstract: "Score story clustering pairwise against a hand-grouped gold set (Benchmarks/stories/gold.json)."
    )

    @Argument(help: "The gold set (JSON: groups, singletons, edits).")
    var gold: String

    @Option(help: "The corpus the gold ids come from (default: the gold file's `corpus`, relative to the current directory).")
    var corpus: String?

    @Option(help: "Articles of one story are at most this many days apart.")
    var windowDays: Double = 3

    @Option(help: "Similarity at which an article joins a story.")
    var similarity: Double = 0.15

    @Option(help: ArgumentHelp(
        "Also store up to this many other corpus articles published within a day of a gold article (by id order), as a store would hold them: they weigh terms as a full store does and can pull gold articles into wrong stories. Only gold pairs are scored.",
        valueName: "count"))
    var background = 0

    @Flag(help: "Print each story found with its articles.")
    var showStories = false

    func run() throws {
        let goldSet = try StoryGold(path: gold)
        let corpusPath = corpus ?? goldSet.corpus
        let (articles, others) = try goldSet.articles(corpus: corpusPath, background: background)
        let analyzer = loadAnalyzer { writeStandardError("mirsad eval stories: \($0)\n") }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-eval-stories-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteReportStore(
            path: directory.appendingPathComponent("stories.sqlite").path,
            options: .init(storyWindowDays: windowDays, storySimilarity: similarity))
        let ordered = articles.sorted { ($0.published ?? "", $0.id) < ($1.published ?? "", $1.id) }
        let everything = (articles + others).sorted { ($0.published ?? "", $0.id) < ($1.published ?? "", $1.id) }
        for (i, article) in everything.enumerated() {
            let result = StoredResult(
                jobID: "gold-\(i)", batchID: "gold", article: ArticleMetadata(article),
                outcome: .analysed(analyzer.analyze(article)), workerID: "eval")
            _ = try store.store([result])
        }
        var storyOf: [String: Int64] = [:]
        for article in ordered {
            guard let page = try store.article(id: article.id), let story = page.article.storyID else {
                throw ValidationError("article \(article.id) has no story after clustering")
            }
            storyOf[article.id] = story
        }
        if showStories {
            for (story, ids) in Dictionary(grouping: ordered.map(\.id), by: { storyOf[$0]! }).sorted(by: { $0.key < $1.key }) {
                let label = try store.story(id: story)?.story.label ?? ""
                print("story \(story) [\(label)]: \(ids.map { "\($0) (\(goldSet.groupOf[$0] ?? "?"))" }.joined(separator: ", "))")
            }
        }
        print("window \(windowDays) days, similarity \(similarity); \(ordered.count) gold articles and \(others.count) others stored, \(Set(storyOf.values).count) stories found, \(Set(goldSet.groupOf.values).count) gold groups")
        for half in ["tuning", "reporting", "all"] {
            let ids = ordered.map(\.id).filter { half == "all" || goldSet.halfOf[$0] == half }
            let score = PairwiseScore(ids: ids, gold: goldSet.groupOf, found: storyOf)
            print(String(format: "%@: %d articles, %d gold pairs, %d found pairs, %d both; precision %.4f recall %.4f F1 %.4f",
                         half, ids.count, score.goldPairs, score.foundPairs, score.truePairs,
                         score.precision, score.recall, score.f1))
        }
    }
}

/// Pairwise clustering agreement: a pair is two distinct articles; precision over pairs put together, recall over
/// pairs that belong together.
struct PairwiseScore {
    var goldPairs = 0
    var foundPairs = 0
    var truePairs = 0

    init<G: Hashable, F: Hashable>(ids: [String], gold: [String: G], found: [String: F]) {
        for i in ids.indices {
            for j in ids.indices where j > i {
                let g = gold[ids[i]] != nil && gold[ids[i]] == gold[ids[j]]
                let f = found[ids[i]] != nil && found[ids[i]] == found[ids[j]]
                if g { goldPairs += 1 }
                if f { foundPairs += 1 }
                if g && f { truePairs += 1 }
            }
        }
    }

    var precision: Double { foundPairs == 0 ? 1 : Double(truePairs) / Double(foundPairs) }
    var recall: Double { goldPairs == 0 ? 1 : Double(truePairs) / Double(goldPairs) }
    var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
}

/// The gold set file: groups of article ids with a reason, singletons, and edited copies of listed articles.
struct StoryGold {
    struct File: Decodable {
        struct Group: Decodable { var name: String; var half: String; var reason: String; var articles: [String] }
        struct Singleton: Decodable { var id: String; var half: String; var reason: String }
        struct Edit: Decodable {
            var id: String
            var from: String
            var dropParagraph: Int?
            var replaceFirstSentenceOfParagraph: Int?
            var replacement: String?
        }
        var corpus: String
        var groups: [Group]
        var singletons: [Singleton]
        var edits: [Edit]
    }

    let file: File
    /// Article id -> gold group (a singleton is its own group).
    let groupOf: [String: String]
    let halfOf: [String: String]
    var corpus: String { file.corpus }

    init(path: String) throws {
        file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        var groupOf: [String: String] = [:]
        var halfOf: [String: String] = [:]
        for group in file.groups {
            for id in group.articles { groupOf[id] = group.name; halfOf[id] = group.half }
        }
        for single in file.singletons { groupOf[single.id] = "single:" + single.id; halfOf[single.id] = single.half }
        for edit in file.edits {
            guard let group = groupOf[edit.from] else {
                throw ValidationError("edit \(edit.id) is made from \(edit.from), which is in no group")
            }
            groupOf[edit.id] = group
            halfOf[edit.id] = halfOf[edit.from]
        }
        self.groupOf = groupOf
        self.halfOf = halfOf
    }

    /// Articles the corpus holds that may never be used, neither for tuning nor as gold.
    static let heldOutSources: Set<String> = ["skynews", "jawharafm"]

    /// The gold articles read from `corpus` with the edited copies, and up to `background` other articles published
    /// within a day of a gold article (the first by id).
    func articles(corpus: String, background: Int) throws -> (gold: [Article], others: [Article]) {
        let wanted = Set(groupOf.keys)
        var byID: [String: Article] = [:]
        var candidates: [Article] = []
        var problems: [String] = []
        _ = try ArticleReader().read([corpus]) { event in
            switch event {
            case .article(let article) where wanted.contains(article.id): byID[article.id] = article
            case .article(let article):
                guard background > 0, !Self.heldOutSources.contains((article.source ?? "").lowercased()) else { return }
                candidates.append(article)
            case .problem(let problem): problems.append("\(problem)")
            }
        }
        let goldDays = Set(byID.values.compactMap { $0.published.map { String($0.prefix(10)) } })
        let nearDays = Set(goldDays.flatMap { day -> [String] in
            guard let date = ReportFilter.day(day) else { return [] }
            return [-1, 0, 1].map { ReportPages.filterDay(date.addingTimeInterval(Double($0) * 86_400)) }
        })
        let others = candidates.filter { nearDays.contains(String(($0.published ?? "").prefix(10))) }
            .sorted { $0.id < $1.id }.prefix(background)
        for edit in file.edits {
            guard var article = byID[edit.from] else { continue }
            var paragraphs = article.content.raw.components(separatedBy: "\n")
            if let drop = edit.dropParagraph {
                let index = drop < 0 ? paragraphs.count + drop : drop
                guard paragraphs.indices.contains(index) else { throw ValidationError("edit \(edit.id): no paragraph \(drop)") }
                paragraphs.remove(at: index)
            }
            if let index = edit.replaceFirstSentenceOfParagraph, let replacement = edit.replacement {
                guard paragraphs.indices.contains(index) else { throw ValidationError("edit \(edit.id): no paragraph \(index)") }
                let paragraph = paragraphs[index]
                let end = paragraph.firstIndex(where: { ".؟!".contains($0) }).map { paragraph.index(after: $0) } ?? paragraph.endIndex
                paragraphs[index] = replacement + paragraph[end...]
            }
            article.id = edit.id
            article.content = .text(paragraphs.joined(separator: "\n"))
            byID[edit.id] = article
        }
        let missing = wanted.subtracting(byID.keys)
        guard missing.isEmpty else {
            throw ValidationError("\(missing.count) gold articles are not in \(corpus): \(missing.sorted().prefix(5).joined(separator: ", "))\(problems.isEmpty ? "" : "; \(problems.first!)")")
        }
        return (wanted.sorted().compactMap { byID[$0] }, Array(others))
    }
}
