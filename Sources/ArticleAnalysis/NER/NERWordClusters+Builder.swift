import Foundation

extension NERWordClusters {
    /// Learns word classes from running text: each frequent word base is described by its immediate left and
    /// right neighbours (positive pointwise mutual information with the most frequent words, text boundaries
    /// included), that description is reduced to a dense vector by a fixed random projection, and the vectors are
    /// split by spherical k-means into `branching` classes, each class again, down to `levels` levels.
    ///
    /// Deterministic: words are ordered by count then bytes, the projection and the k-means seeding come from
    /// SplitMix64 with `Settings.seed`, and every sum is taken in a fixed order, so the same texts give the same
    /// bytes on every run.
    public struct Builder {
        public struct Settings: Sendable, Hashable {
            /// At most this many word bases get a class (the most frequent ones).
            public var vocabulary: Int
            /// Bases seen fewer times are not classed.
            public var minimumCount: Int
            /// Neighbours that describe a word: the most frequent bases.
            public var contexts: Int
            /// Width of the projected vectors.
            public var dimensions: Int
            /// k-means passes per split.
            public var iterations: Int
            public var seed: UInt64
            public init(
                vocabulary: Int = 50_000, minimumCount: Int = 5, contexts: Int = 1000, dimensions: Int = 256,
                iterations: Int = 10, seed: UInt64 = 20_180_201
            ) {
                self.vocabulary = vocabulary
                self.minimumCount = minimumCount
                self.contexts = contexts
                self.dimensions = dimensions
                self.iterations = iterations
                self.seed = seed
            }
        }

        private var idOfSurface: [String: Int32] = [:]
        private var idOfBase: [String: Int32] = [:]
        private var bases: [String] = []
        private var counts: [Int] = []
        /// Base ids in text order; `boundary` between texts and paragraphs.
        private var stream: [Int32] = []
        private static let boundary: Int32 = -1

        public init() {}

        /// Number of words read so far.
        public var tokenCount: Int { stream.count }

        /// Adds the words of `text`: maximal runs of letters, digits and marks are words, every other visible
        /// character is a token of its own, a line break ends a paragraph.
        public mutating func add(text: String) {
            var word = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                let p = scalar.properties
                if p.isAlphabetic || p.numericType != nil || p.generalCategory == .nonspacingMark {
                    word.append(scalar)
                    continue
                }
                if !word.isEmpty {
                    addWord(String(word))
                    word.removeAll(keepingCapacity: true)
                }
                if scalar == "\n" || scalar == "\r" {
                    if stream.last != Builder.boundary { stream.append(Builder.boundary) }
                } else if !p.isWhitespace {
                    addWord(String(scalar))
                }
            }
            if !word.isEmpty { addWord(String(word)) }
            if stream.last != Builder.boundary { stream.append(Builder.boundary) }
        }

        private mutating func addWord(_ word: String) {
            let id: Int32
            if let known = idOfSurface[word] {
                id = known
            } else {
                let w = Array(ArabicNormalizer.normalize(word).unicodeScalars)
                let base = String(String.UnicodeScalarView(w[ArabicClitics.splitRanges(w).base]))
                if let b = idOfBase[base] {
                    id = b
                } else {
                    id = Int32(bases.count)
                    idOfBase[base] = id
                    bases.append(base)
                    counts.append(0)
                }
                idOfSurface[word] = id
            }
            counts[Int(id)] += 1
            stream.append(id)
        }

        /// The classes as `base<TAB>path` lines sorted by bytes (bases made of letters only are listed).
        public func text(settings: Settings = Settings()) -> String {
            let paths = classify(settings: settings)
            var lines: [(String, String)] = []
            for (id, path) in paths {
                let base = bases[id]
                guard !base.isEmpty, base.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic }) else { continue }
                lines.append((base, path.map { String($0, radix: 16) }.joined()))
            }
            lines.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            return lines.map { "\($0.0)\t\($0.1)\n" }.joined()
        }

        /// The path of every classed base id.
        func classify(settings: Settings) -> [(Int, [Int])] {
            // Bases by count, then bytes.
            let ranked = bases.indices.sorted {
                counts[$0] != counts[$1]
                    ? counts[$0] > counts[$1] : bases[$0].utf8.lexicographicallyPrecedes(bases[$1].utf8)
            }
            let vocabulary = Array(ranked.prefix { counts[$0] >= settings.minimumCount }.prefix(settings.vocabulary))
            let contextCount = min(settings.contexts, ranked.count)
            guard !vocabulary.isEmpty else { return [] }
            var row = [Int32](repeating: -1, count: bases.count)
            for (i, id) in vocabulary.enumerated() { row[id] = Int32(i) }
            // Context column per base id; the text boundary is column `contextCount`.
            var column = [Int32](repeating: -1, count: bases.count)
            for (i, id) in ranked.prefix(contextCount).enumerated() { column[id] = Int32(i) }
            let side = contextCount + 1
            let width = 2 * side
            let v = vocabulary.count

            // Neighbour counts: left neighbours in columns 0..<side, right ones in side..<width.
            var cooccurrence = [Float](repeating: 0, count: v * width)
            func columnOf(_ id: Int32) -> Int { id == Builder.boundary ? contextCount : Int(column[Int(id)]) }
            for i in stream.indices {
                let id = stream[i]
                guard id != Builder.boundary else { continue }
                let r = Int(row[Int(id)])
                guard r >= 0 else { continue }
                let left = i > 0 ? columnOf(stream[i - 1]) : contextCount
                let right = i + 1 < stream.count ? columnOf(stream[i + 1]) : contextCount
                if left >= 0 { cooccurrence[r * width + left] += 1 }
                if right >= 0 { cooccurrence[r * width + side + right] += 1 }
            }

            // Positive PMI per side, with context counts smoothed by the power 0.75 (Levy, Goldberg, Dagan 2015).
            var columnTotals = [Double](repeating: 0, count: width)
            var rowTotals = [Double](repeating: 0, count: 2 * v)
            for r in 0..<v {
                for c in 0..<width {
                    let x = Double(cooccurrence[r * width + c])
                    columnTotals[c] += x
                    rowTotals[2 * r + (c < side ? 0 : 1)] += x
                }
            }
            var smoothed = columnTotals.map { pow($0, 0.75) }
            for s in 0..<2 {
                let range = (s * side)..<((s + 1) * side)
                let sum = range.reduce(0.0) { $0 + smoothed[$1] }
                for c in range { smoothed[c] = sum > 0 ? smoothed[c] / sum : 0 }
            }
            for r in 0..<v {
                for c in 0..<width {
                    let x = Double(cooccurrence[r * width + c])
                    guard x > 0 else { continue }
                    let pmi = log(x / rowTotals[2 * r + (c < side ? 0 : 1)] / smoothed[c])
                    cooccurrence[r * width + c] = Float(max(0, pmi))
                }
            }

            // Random projection (±1 entries) to `dimensions`, then unit length.
            let d = settings.dimensions
            var projection = [Float](repeating: 0, count: width * d)
            var rng = SplitMix64(seed: settings.seed)
            for i in projection.indices { projection[i] = rng.next() & 1 == 0 ? 1 : -1 }
            var vectors = [Float](repeating: 0, count: v * d)
            for r in 0..<v {
                for c in 0..<width {
                    let x = cooccurrence[r * width + c]
                    guard x != 0 else { continue }
                    for j in 0..<d { vectors[r * d + j] += x * projection[c * d + j] }
                }
                Builder.normalize(&vectors, at: r * d, width: d)
            }
            cooccurrence = []

            var paths = [[Int]](repeating: [], count: v)
            var groups: [[Int]] = [Array(0..<v)]
            for level in 0..<NERWordClusters.levels {
                var next: [[Int]] = []
                for (g, members) in groups.enumerated() {
                    var seedRng = SplitMix64(seed: settings.seed &+ UInt64(level * 1_000_003 + g + 1))
                    let assignment = Builder.sphericalKMeans(
                        members, vectors: vectors, dimensions: d, k: NERWordClusters.branching,
                        iterations: settings.iterations, rng: &seedRng)
                    var split = [[Int]](repeating: [], count: NERWordClusters.branching)
                    for (m, a) in zip(members, assignment) {
                        paths[m].append(a)
                        split[a].append(m)
                    }
                    next += split.filter { !$0.isEmpty }
                }
                groups = next
            }
            return zip(vocabulary, paths).map { ($0, $1) }
        }

        static func normalize(_ vectors: inout [Float], at offset: Int, width: Int) {
            var norm: Float = 0
            for j in 0..<width { norm += vectors[offset + j] * vectors[offset + j] }
            guard norm > 0 else { return }
            let scale = 1 / norm.squareRoot()
            for j in 0..<width { vectors[offset + j] *= scale }
        }

        /// Splits `members` (rows of `vectors`) into at most `k` classes by cosine similarity; seeds chosen as in
        /// k-means++ from `rng`. Returns the class of each member, in `members` order. Groups of `k` members or
        /// fewer give each member a class of its own.
        static func sphericalKMeans(
            _ members: [Int], vectors: [Float], dimensions d: Int, k: Int, iterations: Int, rng: inout SplitMix64
        ) -> [Int] {
            guard members.count > k else { return Array(members.indices) }
            func dot(_ a: UnsafeBufferPointer<Float>, _ ao: Int, _ b: UnsafeBufferPointer<Float>, _ bo: Int) -> Float {
                var s = SIMD8<Float>()
                var j = 0
                while j + 8 <= d {
                    s += UnsafeRawPointer(a.baseAddress! + ao + j).loadUnaligned(as: SIMD8<Float>.self)
                        * UnsafeRawPointer(b.baseAddress! + bo + j).loadUnaligned(as: SIMD8<Float>.self)
                    j += 8
                }
                var t = s.sum()
                while j < d { t += a[ao + j] * b[bo + j]; j += 1 }
                return t
            }
            var centroids = [Float](repeating: 0, count: k * d)
            var assignment = [Int](repeating: 0, count: members.count)
            vectors.withUnsafeBufferPointer { x in
                // k-means++ seeding over squared distances 2 - 2 cos.
                var chosen = [members[0]]
                var nearest = [Float](repeating: .infinity, count: members.count)
                while chosen.count < k {
                    let last = chosen[chosen.count - 1]
                    var total: Double = 0
                    for (i, m) in members.enumerated() {
                        let dist = max(0, 2 - 2 * dot(x, m * d, x, last * d))
                        nearest[i] = min(nearest[i], dist)
                        total += Double(nearest[i])
                    }
                    guard total > 0 else { break }
                    var target = Double(rng.next() >> 11) / Double(1 << 53) * total
                    var pick = members.count - 1
                    for i in members.indices {
                        target -= Double(nearest[i])
                        if target <= 0 { pick = i; break }
                    }
                    chosen.append(members[pick])
                }
                for (c, m) in chosen.enumerated() {
                    for j in 0..<d { centroids[c * d + j] = x[m * d + j] }
                }
                for _ in 0..<max(1, iterations) {
                    centroids.withUnsafeBufferPointer { cb in
                        for (i, m) in members.enumerated() {
                            var best = 0
                            var bestScore = -Float.infinity
                            for c in 0..<chosen.count {
                                let s = dot(x, m * d, cb, c * d)
                                if s > bestScore { bestScore = s; best = c }
                            }
                            assignment[i] = best
                        }
                    }
                    var sums = [Float](repeating: 0, count: k * d)
                    var sizes = [Int](repeating: 0, count: k)
                    for (i, m) in members.enumerated() {
                        let c = assignment[i]
                        sizes[c] += 1
                        for j in 0..<d { sums[c * d + j] += x[m * d + j] }
                    }
                    for c in 0..<chosen.count where sizes[c] > 0 {
                        normalize(&sums, at: c * d, width: d)
                        for j in 0..<d { centroids[c * d + j] = sums[c * d + j] }
                    }
                }
            }
            return assignment
        }
    }
}
