import ArticleAnalysis
import Foundation

/// One `ArticleReader.read` call: walks the inputs, keeps the summary, and turns every kind of bad input into
/// an `IngestProblem`. Only errors thrown by `emit` leave it.
final class IngestRun {
    private(set) var summary = IngestSummary()
    private let maxArticleBytes: Int
    private let standardInput: FileHandle
    private let emit: (IngestEvent) throws -> Void
    private let decoder = JSONDecoder()

    init(maxArticleBytes: Int, standardInput: FileHandle, emit: @escaping (IngestEvent) throws -> Void) {
        self.maxArticleBytes = maxArticleBytes
        self.standardInput = standardInput
        self.emit = emit
    }

    /// A JSON line longer than this cannot hold an article within the limit, even with every character escaped.
    private var maxLineBytes: Int { maxArticleBytes * 6 + 64 * 1024 }

    func read(_ input: String) throws {
        if input == "-" {
            summary.filesRead += 1
            try readStream(FileDescriptorSource(descriptor: standardInput.fileDescriptor),
                           name: ArticleReader.standardInputName, format: nil)
            return
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            try report(input, nil, .missing, "no such file or directory")
            return
        }
        if isDirectory.boolValue {
            try readDirectory(input)
        } else if let kind = Self.specialFileKind(input) {
            try report(input, nil, .specialFile, "\(kind), not a regular file: skipped (read standard input with -)")
        } else {
            try readFile(input, format: InputFormat(path: input))
        }
    }

    /// What `path` is when it is not a regular file ("a FIFO", "a socket", "a device"), nil for a regular file.
    /// Asked before opening: opening a FIFO waits for a writer, perhaps forever.
    static func specialFileKind(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }  // the open that follows reports why
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "a special file"
        }
    }

    // MARK: - Files and directories

    private func readDirectory(_ path: String) throws {
        let articlesBefore = summary.articles
        let skippedBefore = summary.filesSkipped
        var visited = Set<String>()
        try walk(path, visited: &visited)
        if summary.articles == articlesBefore {
            let skipped = summary.filesSkipped - skippedBefore
            try report(path, nil, .noArticles,
                       "the directory holds no articles (\(skipped) hidden or unknown file\(skipped == 1 ? "" : "s") passed over)")
        }
    }

    private func walk(_ directory: String, visited: inout Set<String>) throws {
        // Symbolic links may lead back up the tree: walk every real directory once.
        guard visited.insert(URL(fileURLWithPath: directory).resolvingSymlinksInPath().path).inserted else { return }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            try report(directory, nil, .unreadable, "cannot list the directory: \(error.localizedDescription)")
            return
        }
        for name in names {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            if name.hasPrefix(".") {
                summary.filesSkipped += 1
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                summary.filesSkipped += 1  // a dangling link
                continue
            }
            if isDirectory.boolValue {
                try walk(path, visited: &visited)
            } else if let format = InputFormat(path: path) {
                if let kind = Self.specialFileKind(path) {
                    summary.filesSkipped += 1
                    try report(path, nil, .specialFile, "\(kind), not a regular file: skipped")
                } else {
                    try readFile(path, format: format)
                }
            } else {
                summary.filesSkipped += 1
            }
        }
    }

    private func readFile(_ path: String, format: InputFormat?) throws {
        let file: OpenFile
        do {
            file = try OpenFile(path: path)
        } catch {
            try report(path, nil, .unreadable, "cannot open: \(Self.reason(error))")
            return
        }
        summary.filesRead += 1
        try readStream(FileDescriptorSource(descriptor: file.descriptor), name: path, format: format)
        withExtendedLifetime(file) {}
    }

    // MARK: - Streams

    /// Reads one stream as `format`, or as the format its first bytes suggest when `format` is nil.
    private func readStream(_ source: ByteSource, name: String, format: InputFormat?) throws {
        var source = source
        var format = format
        if format == nil {
            let peekable = PeekableSource(source)
            format = try sniff(peekable, name: name)
            source = peekable
        }
        guard let format else { return }
        switch format {
        case .text, .html:
            try readWhole(source, name: name, isHTML: format == .html)
        case .jsonLines:
            try readLines(source, name: name)
        case .gzipJSONLines:
            do {
                try readLines(try GzipSource(source), name: name)
            } catch let error as ByteSourceError {
                try report(name, nil, .corruptGzip, Self.reason(error))
            }
        }
    }

    /// The format of `source` judged from its first chunk (which stays in the stream), or nil after a read error.
    private func sniff(_ source: PeekableSource, name: String) throws -> InputFormat? {
        do {
            return InputFormat(sniffing: try source.peek())
        } catch {
            try report(name, nil, .unreadable, "read failed: \(Self.reason(error))")
            return nil
        }
    }

    private func readWhole(_ source: ByteSource, name: String, isHTML: Bool) throws {
        let bytes: [UInt8]?
        do {
            bytes = try source.readAll(limit: maxArticleBytes)
        } catch {
            try report(name, nil, .unreadable, "read failed: \(Self.reason(error))")
            return
        }
        guard let bytes else {
            try report(name, nil, .tooLarge, "the file is over the limit of \(maxArticleBytes) bytes; skipped")
            return
        }
        let (text, repaired) = bytes.withUnsafeBufferPointer(TextCheck.decode)
        try accept(text, repaired: repaired, file: name, line: nil) { flags in
            Article(id: name, content: isHTML ? .html(text) : .text(text), inputFlags: flags)
        }
    }

    private func readLines(_ source: ByteSource, name: String) throws {
        var splitter = LineSplitter(maxLineBytes: maxLineBytes)
        let articlesBefore = summary.articles
        let problemsBefore = summary.problemCount
        do {
            while let chunk = try source.nextChunk() {
                try splitter.feed(chunk) { try handle($0, file: name) }
            }
            try splitter.finish { try handle($0, file: name) }
        } catch let error as ByteSourceError {
            splitter.discardPartialLine()
            let kind: IngestProblem.Kind = error == .truncatedGzip || Self.isGzip(error) ? .corruptGzip : .unreadable
            try report(name, nil, kind,
                       "\(Self.reason(error)) after line \(splitter.lineNumber); the articles before it were kept")
            return
        }
        if summary.articles == articlesBefore, summary.problemCount == problemsBefore {
            try report(name, nil, .noArticles, "no articles (no non-blank line)")
        }
    }

    private func handle(_ line: LineSplitter.Line, file: String) throws {
        switch line {
        case .overlong(let number, let bytes):
            try report(file, number, .tooLarge,
                       "the line is \(bytes) bytes, too long for an article of at most \(maxArticleBytes) bytes; skipped")
        case .bytes(let bytes, let number):
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            var repaired = false
            var parsed: JSONLineArticle
            do {
                parsed = try decoder.decode(JSONLineArticle.self, from: Data(buffer: bytes))
            } catch {
                // JSON must be UTF-8: repair the line and try again, so one bad byte costs no article.
                let (text, wasRepaired) = TextCheck.decode(bytes)
                guard wasRepaired, let again = try? decoder.decode(JSONLineArticle.self, from: Data(text.utf8)) else {
                    try report(file, number, .malformedJSON, "malformed JSON: \(JSONLineArticle.explain(error)); skipped")
                    return
                }
                parsed = again
                repaired = true
            }
            guard let text = parsed.text ?? parsed.html else {
                try report(file, number, .empty, "no \"text\" or \"html\" field; skipped")
                return
            }
            let id = parsed.id ?? "\(file):\(number)"
            try accept(text, repaired: repaired, file: file, line: number) { flags in
                Article(
                    id: id, url: parsed.url, source: parsed.source, category: parsed.category, title: parsed.title,
                    published: parsed.published, author: parsed.author,
                    content: parsed.text != nil ? .text(text) : .html(text), inputFlags: flags)
            }
        }
    }

    // MARK: - Results

    /// Hands over the article made by `make`, or a problem when `text` cannot be analysed.
    private func accept(
        _ text: String, repaired: Bool, file: String, line: Int?, make: ([AnalysisFlag]) -> Article
    ) throws {
        if let (kind, message) = TextCheck.problem(with: text, repaired: repaired, maxBytes: maxArticleBytes) {
            try report(file, line, kind, message)
            return
        }
        if repaired {
            try report(file, line, .invalidUTF8, "invalid UTF-8 replaced with U+FFFD; the article was kept")
        }
        summary.articles += 1
        try emit(.article(make(repaired ? [.invalidUTF8Replaced] : [])))
    }

    private func report(_ file: String, _ line: Int?, _ kind: IngestProblem.Kind, _ message: String) throws {
        summary.problems[kind, default: 0] += 1
        try emit(.problem(IngestProblem(file: file, line: line, kind: kind, message: message)))
    }

    private static func isGzip(_ error: ByteSourceError) -> Bool {
        if case .corruptGzip = error { return true }
        return false
    }

    private static func reason(_ error: ByteSourceError) -> String {
        switch error {
        case .readFailed(let reason): return reason
        case .truncatedGzip: return "the gzip data ends in the middle of a member (a truncated file)"
        case .corruptGzip(let reason): return "damaged gzip data (\(reason))"
        }
    }
}
