extension Array {
    /// Consecutive slices of at most `size` elements, in order (id lists split under a message's limit).
    func chunked(by size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
