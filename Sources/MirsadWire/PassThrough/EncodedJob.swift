import Foundation

/// One job as its producer encoded it (a `Job`), with what the dispatcher needs to know of it read from the bytes
/// without decoding the article: the dispatcher validates, journals and forwards these bytes as they came.
///
/// Reading is strict where a lenient protobuf decoder would merge or pick the last of several values: a job with
/// `job_id`, `batch_id`, `article`, the article's `metadata` or its `id` given twice, or with both `text` and
/// `html`, is refused, so that what the dispatcher read is what a worker's decoder will read.
public struct EncodedJob: Sendable, Hashable {
    public let jobID: String
    public let batchID: String
    /// The article's own id (`ArticleMetadata.id`); empty when the article has none.
    public let articleID: String
    /// The size of the article's body (`text` or `html`) in bytes; nil when the job has no body.
    public let contentBytes: Int?
    /// The encoded `Job`.
    public let bytes: Data
    /// Whether the bytes hold a `lease` (field 10): only a dispatcher adds one, so a producer's job holding one is
    /// rejected (a producer must not choose the lease a worker answers with).
    public let carriesLease: Bool

    /// Why bytes are not a job the dispatcher can take.
    public struct Unreadable: Error, Sendable, Hashable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// Reads `bytes` as a `Job`. When the job has no `batch_id`, `batchID` is appended to the bytes as that field
    /// (a later field of a message sets it), so every journaled job names its batch.
    public init(bytes: Data, batchID defaultBatchID: String? = nil) throws(Unreadable) {
        var jobID: String?, batchID: String?, articleRange: Range<Int>?, carriesLease = false
        do {
            for field in try ProtobufFields.fields(of: bytes) {
                switch (field.number, field.wireType) {
                case (1, .lengthDelimited): jobID = try Self.once(jobID, Self.string(bytes, field.payload), "job_id")
                case (2, .lengthDelimited): batchID = try Self.once(batchID, Self.string(bytes, field.payload), "batch_id")
                case (3, .lengthDelimited): articleRange = try Self.once(articleRange, field.payload, "article")
                case (1...3, _): throw Unreadable(reason: "job field \(field.number) has wire type \(field.wireType)")
                case (10, _): carriesLease = true
                default: break  // options and fields of later versions pass through
                }
            }
        } catch let malformed as ProtobufFields.Malformed {
            throw Unreadable(reason: "the job does not decode: \(malformed)")
        } catch let error as Unreadable {
            throw error
        } catch {
            throw Unreadable(reason: "\(error)")
        }
        var articleID = "", contentBytes: Int? = nil
        if let articleRange {
            (articleID, contentBytes) = try Self.readArticle(bytes[bytes.startIndex + articleRange.lowerBound ..< bytes.startIndex + articleRange.upperBound])
        }
        var bytes = bytes
        if batchID == nil || batchID == "", let defaultBatchID {
            bytes.append(contentsOf: ProtobufFields.lengthDelimited(2, Array(defaultBatchID.utf8)))
            batchID = defaultBatchID
        }
        self.jobID = jobID ?? ""
        self.batchID = batchID ?? ""
        self.articleID = articleID
        self.contentBytes = contentBytes
        self.bytes = bytes
        self.carriesLease = carriesLease
    }

    /// This job with `lease` appended as its `lease` field (revision 4), as a dispatcher hands it to a worker. The
    /// journaled bytes stay without it; each dispatch appends its own.
    public func withLease(_ lease: Mirsad_V1_Lease) -> EncodedJob {
        var copy = self
        copy.appendLease(lease)
        return copy
    }

    private mutating func appendLease(_ lease: Mirsad_V1_Lease) {
        guard let encoded = try? lease.serializedData() else { return }  // a message of strings and bytes encodes
        var bytes = self.bytes
        bytes.append(contentsOf: ProtobufFields.lengthDelimited(10, Array(encoded)))
        self = EncodedJob(jobID: jobID, batchID: batchID, articleID: articleID, contentBytes: contentBytes, bytes: bytes,
                          carriesLease: true)
    }

    private init(jobID: String, batchID: String, articleID: String, contentBytes: Int?, bytes: Data, carriesLease: Bool) {
        self.jobID = jobID
        self.batchID = batchID
        self.articleID = articleID
        self.contentBytes = contentBytes
        self.bytes = bytes
        self.carriesLease = carriesLease
    }

    /// A job encoded here (producers, tests).
    public init(_ job: Mirsad_V1_Job) throws(Unreadable) {
        let bytes: Data
        do {
            bytes = try job.serializedData()
        } catch {
            throw Unreadable(reason: "the job does not encode: \(error)")
        }
        try self.init(bytes: bytes)
    }

    /// The decoded job (workers).
    public func decoded() throws -> Mirsad_V1_Job { try Mirsad_V1_Job(serializedBytes: bytes) }

    /// The size this job adds inside a repeated field: its bytes plus the field tag and length prefix.
    public var sizeInMessage: Int { bytes.count + 1 + EncodedResult.varintSize(bytes.count) }

    private static func readArticle(_ article: Data) throws(Unreadable) -> (id: String, contentBytes: Int?) {
        var metadataRange: Range<Int>?, content: Int?
        do {
            for field in try ProtobufFields.fields(of: article) {
                switch (field.number, field.wireType) {
                case (1, .lengthDelimited): metadataRange = try once(metadataRange, field.payload, "article.metadata")
                case (2, .lengthDelimited), (3, .lengthDelimited):
                    content = try once(content, field.payload.count, "article body (text or html)")
                case (1...3, _): throw Unreadable(reason: "article field \(field.number) has wire type \(field.wireType)")
                default: break
                }
            }
            var id: String?
            if let metadataRange {
                let metadata = article[article.startIndex + metadataRange.lowerBound ..< article.startIndex + metadataRange.upperBound]
                for field in try ProtobufFields.fields(of: metadata) where field.number == 1 {
                    guard field.wireType == .lengthDelimited else { throw Unreadable(reason: "article.metadata.id is not a string") }
                    id = try once(id, string(metadata, field.payload), "article.metadata.id")
                }
            }
            return (id ?? "", content)
        } catch let malformed as ProtobufFields.Malformed {
            throw Unreadable(reason: "the job's article does not decode: \(malformed)")
        } catch let error as Unreadable {
            throw error
        } catch {
            throw Unreadable(reason: "\(error)")
        }
    }

    private static func once<T>(_ existing: T?, _ value: T, _ name: String) throws(Unreadable) -> T {
        guard existing == nil else { throw Unreadable(reason: "\(name) is given twice") }
        return value
    }

    /// The UTF-8 string at `range` of `bytes` (relative to its start).
    private static func string(_ bytes: Data, _ range: Range<Int>) throws(Unreadable) -> String {
        let slice = bytes[bytes.startIndex + range.lowerBound ..< bytes.startIndex + range.upperBound]
        guard let string = String(validating: slice, as: UTF8.self) else { throw Unreadable(reason: "a job identifier is not UTF-8") }
        return string
    }
}
