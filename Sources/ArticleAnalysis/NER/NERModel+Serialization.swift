/// The model file: little-endian binary, deterministic for a given model.
///
/// Layout: the 8 bytes "MRSDNER2"; UInt32 tag count, features per token, bucket bits, epochs, minimum feature
/// count; UInt64 shuffle seed; Float32 entity bias (bit pattern); the transitions as Float32 bit patterns; UInt32 row count; then each row that has a
/// non-zero weight, in increasing row order: UInt32 row, UInt16 mask of the tags with a non-zero weight, and one
/// Float32 per set bit in tag order. Loading checks every count against the code's, so a model trained with other
/// templates or tags is refused instead of silently misread.
extension NERModel {
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { "NER model: \(reason)" }
    }

    static let magic = Array("MRSDNER2".utf8)

    public func serialized() -> [UInt8] {
        var out: [UInt8] = NERModel.magic
        func put32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func put16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func put64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        let k = NERTag.count
        put32(UInt32(k))
        put32(UInt32(NERFeatures.perToken))
        put32(UInt32(settings.bucketBits))
        put32(UInt32(settings.epochs))
        put32(UInt32(settings.minFeatureCount))
        put64(settings.shuffleSeed)
        put32(settings.entityBias.bitPattern)
        for t in transitions { put32(t.bitPattern) }
        let (rows, weights) = storedRows()
        put32(UInt32(rows.count))
        for (i, r) in rows.enumerated() {
            var mask: UInt16 = 0
            for j in 0..<k where weights[i * k + j] != 0 { mask |= 1 << UInt16(j) }
            put32(r)
            put16(mask)
            for j in 0..<k where weights[i * k + j] != 0 { put32(weights[i * k + j].bitPattern) }
        }
        return out
    }

    public init(serialized bytes: some Collection<UInt8>) throws(FormatError) {
        let b = Array(bytes)
        var pos = 0
        func need(_ n: Int, _ what: String) throws(FormatError) {
            if pos + n > b.count { throw FormatError(reason: "file ends inside \(what) at byte \(pos)") }
        }
        func get32(_ what: String) throws(FormatError) -> UInt32 {
            try need(4, what)
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(b[pos + i]) << UInt32(8 * i) }
            pos += 4
            return v
        }
        func get16(_ what: String) throws(FormatError) -> UInt16 {
            try need(2, what)
            let v = UInt16(b[pos]) | UInt16(b[pos + 1]) << 8
            pos += 2
            return v
        }
        func get64(_ what: String) throws(FormatError) -> UInt64 {
            let lo = UInt64(try get32(what)), hi = UInt64(try get32(what))
            return lo | hi << 32
        }
        guard b.count >= 8, Array(b[0..<8]) == NERModel.magic else {
            throw FormatError(reason: "not a model file (missing the MRSDNER2 signature)")
        }
        pos = 8
        let k = NERTag.count
        let tagCount = try get32("the header")
        guard tagCount == k else { throw FormatError(reason: "has \(tagCount) tags, expected \(k)") }
        let perToken = try get32("the header")
        guard perToken == NERFeatures.perToken else {
            throw FormatError(reason: "has \(perToken) features per token, this code uses \(NERFeatures.perToken)")
        }
        let bucketBits = Int(try get32("the header"))
        guard (8...26).contains(bucketBits) else { throw FormatError(reason: "bucket bits \(bucketBits) out of 8...26") }
        let epochs = Int(try get32("the header"))
        let minCount = Int(try get32("the header"))
        let seed = try get64("the header")
        let entityBias = Float(bitPattern: try get32("the header"))
        guard entityBias.isFinite else { throw FormatError(reason: "entity bias \(entityBias) is not finite") }
        var transitions: [Float] = []
        for _ in 0..<((k + 1) * k) { transitions.append(Float(bitPattern: try get32("the transitions"))) }
        let rowLimit = 1 << bucketBits
        let rowCount = Int(try get32("the row count"))
        guard rowCount <= rowLimit else { throw FormatError(reason: "\(rowCount) rows for \(rowLimit) buckets") }
        var rows: [UInt32] = []
        var weights: [Float] = []
        rows.reserveCapacity(rowCount)
        weights.reserveCapacity(rowCount * k)
        var lastRow = -1
        for _ in 0..<rowCount {
            let r = Int(try get32("a weight row"))
            guard r < rowLimit, r > lastRow else { throw FormatError(reason: "row \(r) out of order or out of range") }
            lastRow = r
            let mask = try get16("a weight row")
            guard mask >> UInt16(k) == 0, mask != 0 else {
                throw FormatError(reason: "row \(r) has a tag mask beyond \(k) tags or none")
            }
            rows.append(UInt32(r))
            for j in 0..<k {
                if mask & (1 << UInt16(j)) != 0 {
                    weights.append(Float(bitPattern: try get32("a weight row")))
                } else {
                    weights.append(0)
                }
            }
        }
        guard pos == b.count else { throw FormatError(reason: "\(b.count - pos) bytes after the last row") }
        self.init(
            settings: TrainingSettings(
                epochs: epochs, bucketBits: bucketBits, minFeatureCount: minCount, shuffleSeed: seed,
                entityBias: entityBias),
            rows: rows, rowWeights: weights, transitions: transitions)
    }
}
