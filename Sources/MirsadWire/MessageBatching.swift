/// Splitting many items (jobs, results, ids) into messages that respect the count and frame-size limits.
public enum MessageBatching {
    /// Room left in a body frame for the fields around the repeated items (request and batch ids, tags).
    public static let envelopeReserveBytes = 64 * 1024
    /// The most item bytes one message may carry.
    public static let maxItemBytesPerMessage = ProtocolLimits.maxFrameBytes - envelopeReserveBytes

    /// Consecutive groups, in order, of at most `maxCount` items whose `size`s sum to at most `maxBytes`.
    ///
    /// An item larger than `maxBytes` on its own forms a group of one (the caller decides whether to send it).
    public static func split<Item>(
        _ items: [Item],
        maxCount: Int = ProtocolLimits.maxJobsPerMessage,
        maxBytes: Int = maxItemBytesPerMessage,
        size: (Item) -> Int
    ) -> [ArraySlice<Item>] {
        var groups: [ArraySlice<Item>] = []
        var start = items.startIndex
        var bytes = 0
        for index in items.indices {
            let itemBytes = size(items[index])
            let count = index - start
            if count > 0, count >= maxCount || bytes + itemBytes > maxBytes {
                groups.append(items[start..<index])
                start = index
                bytes = 0
            }
            bytes += itemBytes
        }
        if start < items.endIndex { groups.append(items[start...]) }
        return groups
    }
}
