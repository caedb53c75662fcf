import CZlib
import Foundation
import Testing

/// A temporary directory of input files for one test, and the shared corpus when it is there.
struct TestFiles {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("mirsad-ingest-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }

    /// Writes `bytes` at `relativePath` (creating folders) and returns the file's path.
    @discardableResult
    func write(_ relativePath: String, _ bytes: [UInt8]) throws -> String {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url.path
    }

    @discardableResult
    func write(_ relativePath: String, _ text: String) throws -> String {
        try write(relativePath, Array(text.utf8))
    }

    func path(_ relativePath: String) -> String { root.appendingPathComponent(relativePath).path }

    /// One JSON Lines record.
    static func jsonLine(id: String? = nil, text: String? = nil, html: String? = nil, source: String = "CNN") -> String {
        var object: [String: Any] = ["source": source, "title": "عنوان", "published": "2018-02-18T21:35:43+04:00"]
        if let id { object["id"] = id }
        if let text { object["text"] = text }
        if let html { object["html"] = html }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// `bytes` as one gzip member.
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        let produced = input.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = input.baseAddress
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return out.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }
}

/// Where the shared data lives: $MIRSAD_SHARED, else `../shared` beside the repository.
enum SharedData {
    static var root: URL {
        if let path = ProcessInfo.processInfo.environment["MIRSAD_SHARED"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared")
    }

    static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// Whether `relativePath` exists; when it does not and MIRSAD_REQUIRE_SHARED=1, records a failure that says so.
    static func available(_ relativePath: String) -> Bool {
        if FileManager.default.fileExists(atPath: url(relativePath).path) { return true }
        if ProcessInfo.processInfo.environment["MIRSAD_REQUIRE_SHARED"] == "1" {
            Issue.record("shared data \(url(relativePath).path) is missing (MIRSAD_REQUIRE_SHARED=1)")
        }
        return false
    }

    static var requiredOrPresent: Bool {
        ProcessInfo.processInfo.environment["MIRSAD_REQUIRE_SHARED"] == "1"
            || FileManager.default.fileExists(atPath: root.path)
    }
}
