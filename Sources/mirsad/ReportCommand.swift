import ArgumentParser
import ArticleAnalysis
import Foundation
import MirsadServices
import ReportStore
import ReportViews

/// `mirsad report`: what the report store holds, read as articles (each once, latest version).
///
/// Exit status: 0 a report was written; 1 the store cannot be opened or read (missing, not writable, written by
/// a newer mirsad, damaged); 3 the filters match no article (nothing is written); 4 the article, entity or story
/// asked for is unknown; 64 bad arguments (from the argument parser).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report on the articles in the store: entities, stories, sources, days, topics, quotes, sourcing, tone.",
        discussion: """
            Exit status: 0 written; 1 the store cannot be opened or read; 3 the filters match no article; \
            4 unknown article, entity or story; 64 bad arguments.
            """,
        subcommands: [ReportOverviewCommand.self, ReportArticleCommand.self, ReportEntityCommand.self, ReportStoryCommand.self],
        defaultSubcommand: ReportOverviewCommand.self
    )

    static let storeFailure: Int32 = 1
    static let nothingMatches: Int32 = 3
    static let unknownID: Int32 = 4
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv, html
}

/// Options every report page takes.
struct ReportOptions: ParsableArguments {
    @Option(help: "The report store: a SQLite file's path, or postgres://USER:PASSWORD@HOST:PORT/DATABASE.")
    var store: String = Defaults.storePath

    @Option(help: "text (default), json, csv or html (one self-contained page).")
    var format: ReportFormat = .text

    @Option(name: .shortAndLong, help: "Write the report to this file instead of standard output.")
    var output: String?

    @Option(help: ArgumentHelp("Articles from this day on (YYYY-MM-DD, UTC; article time: published, else analysed).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Articles before this day (YYYY-MM-DD, exclusive).", valueName: "date"))
    var until: String?

    @Option(help: "Only articles from this source (as the input names it).")
    var source: String?

    @Option(help: "Only articles naming this entity (its key or name).")
    var entity: String?

    @Option(help: "Only articles with this topic.")
    var topic: String?

    @Option(help: "Only articles of this story (its number).")
    var story: Int64?

    @Option(help: "Only articles in this language (ISO 639-1 code).")
    var language: String?

    @Option(help: "Rows per list.")
    var limit: Int = 20

    func validate() throws {
        if let since { guard ReportFilter.day(since) != nil else { throw ValidationError("--since must be a date YYYY-MM-DD, got \(since)") } }
        if let until { guard ReportFilter.day(until) != nil else { throw ValidationError("--until must be a date YYYY-MM-DD, got \(until)") } }
        if let s = since.flatMap(ReportFilter.day), let u = until.flatMap(ReportFilter.day), s >= u {
            throw ValidationError("--since \(since!) must be before --until \(until!)")
        }
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    var filter: ReportFilter {
        ReportFilter(since: since.flatMap(ReportFilter.day), until: until.flatMap(ReportFilter.day), source: source, entity: entity,
                     topic: topic, story: story, language: language)
    }

    /// Opens the store that must already exist: a report never creates one.
    func openStore() throws -> any ReportStore & ReportQueries {
        let location = ReportStoreLocation(store)
        if case .sqlite = location, !FileManager.default.fileExists(atPath: store) {
            fail("no report store at \(store) (run `mirsad run` or a collector first, or pass --store)", status: ReportCommand.storeFailure)
        }
        do {
            return try location.open(creating: false)
        } catch {
            fail("\(error)", status: ReportCommand.storeFailure)
        }
    }

    /// The store as messages name it (a PostgreSQL password hidden).
    var storeName: String { ReportStoreLocation(store).description }

    /// Writes `text` to `--output` or standard output.
    func emit(_ text: String) throws {
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                fail("cannot write \(output): \(error.localizedDescription)", status: ReportCommand.storeFailure)
            }
        } else {
            try StandardOutput.ending(command: "report") { try StandardOutput.write(text) }
        }
    }

    func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// Runs a query, turning store errors into exit status 1 with the store's message.
    func query<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ReportStoreError {
            fail("\(error)", status: ReportCommand.storeFailure)
        }
    }
}

/// Prints `message` to standard error as `mirsad report: ...` and exits with `status`.
func fail(_ message: String, status: Int32) -> Never {
    writeStandardError("mirsad report: \(message)\n")
    Foundation.exit(status)
}

struct ReportOverviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overview", abstract: "The whole report (the default): counts, entities, stories, sources, days, quotes, sourcing, tone.")

    @OptionGroup var options: ReportOptions

    func run() throws {
        let store = try options.openStore()
        let filter = options.filter
        let overview = try options.query { try store.overview(filter, limit: options.limit) }
        guard overview.summary.articles > 0 else {
            fail(filter.isEmpty ? "the store at \(options.storeName) holds no analysed article"
                 : "no article matches the filters (\(ReportPages.filterText(filter)))", status: ReportCommand.nothingMatches)
        }
        switch options.format {
        case .text: try options.emit(TableRendering.text(ReportTable.tables(overview)))
        case .csv: try options.emit(TableRendering.csv(ReportTable.tables(overview)))
        case .json: try options.emit(try options.json(overview))
        case .html: try options.emit(ReportPages.overview(overview, generated: ISO8601DateFormatter().string(from: Date())))
        }
    }
}

struct ReportArticleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "article", abstract: "One article: its identity, versions, story and full analysis.")

    @Argument(help: "The article's input id, identity key or URL.")
    var id: String

    @OptionGroup var options: ReportOptions

    func run() throws {
        let store = try options.openStore()
        guard let page = try options.query({ try store.article(id: id) }) else {
            fail("no article \(id) in \(options.storeName)", status: ReportCommand.unknownID)
        }
        switch options.format {
        case .text: try options.emit(TableRendering.text(ReportTable.tables(page)))
        case .csv: try options.emit(TableRendering.csv(ReportTable.tables(page)))
        case .json: try options.emit(try options.json(page))
        case .html: try options.emit(ReportPages.article(page))
        }
    }
}

struct ReportEntityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entity", abstract: "One entity: its articles, the entities named with it, its timeline and sources.")

    @Argument(help: "The entity's canonical key or name.")
    var key: String

    @Option(help: "PERS, ORG, LOC or MISC, when the key has several types.")
    var type: String?

    @OptionGroup var options: ReportOptions

    func validate() throws {
        if let type, EntityType(rawValue: type) == nil { throw ValidationError("--type must be PERS, ORG, LOC or MISC, got \(type)") }
    }

    func run() throws {
        let store = try options.openStore()
        let filter = options.filter
        guard let page = try options.query({ try store.entity(key: key, type: type.flatMap(EntityType.init), filter: filter) }) else {
            fail("no entity \(key) in \(options.storeName)", status: ReportCommand.unknownID)
        }
        guard page.entity.articles > 0 else {
            fail("no article naming \(key) matches the filters (\(ReportPages.filterText(filter)))", status: ReportCommand.nothingMatches)
        }
        switch options.format {
        case .text: try options.emit(TableRendering.text(ReportTable.tables(page)))
        case .csv: try options.emit(TableRendering.csv(ReportTable.tables(page)))
        case .json: try options.emit(try options.json(page))
        case .html: try options.emit(ReportPages.entity(page, filter: filter))
        }
    }
}

struct ReportStoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "story", abstract: "One story: its label, articles, outlets, time span and terms.")

    @Argument(help: "The story's number (see the stories list).")
    var id: Int64

    @OptionGroup var options: ReportOptions

    func run() throws {
        let store = try options.openStore()
        guard let page = try options.query({ try store.story(id: id) }) else {
            fail("no story \(id) in \(options.storeName)", status: ReportCommand.unknownID)
        }
        switch options.format {
        case .text: try options.emit(TableRendering.text(ReportTable.tables(page)))
        case .csv: try options.emit(TableRendering.csv(ReportTable.tables(page)))
        case .json: try options.emit(try options.json(page))
        case .html: try options.emit(ReportPages.story(page))
        }
    }
}
