/// The block structure of an HTML page: the elements that break lines, and the text lines inside them.
///
/// Invariants: nodes are in document (pre-)order, node 0 is the document root; a node's lines are the contiguous
/// range `nodes[i].lines` of `lines` (its descendants' lines included); every line belongs to the innermost node
/// open when it ended (`PageLine.node`), and every ancestor of a line's node contains the line.
struct PageTree: Sendable {
    struct Node: Sendable {
        /// Lowercased element name ("#root" for the root).
        var name: String
        var parent: Int
        var depth: Int
        /// The lowercased values of the class, id and role attributes, space-separated.
        var names: String
        /// Indices into `PageTree.lines`.
        var lines: Range<Int>
        var children: [Int] = []
    }

    struct Line: Sendable {
        var text: String
        var node: Int
        /// UTF-8 bytes of the line, and of its text inside <a> elements.
        var bytes: Int
        var linkBytes: Int

        /// The share of the line's text that is link text.
        var linkDensity: Double { bytes == 0 ? 0 : Double(linkBytes) / Double(bytes) }
    }

    var nodes: [Node] = [Node(name: "#root", parent: -1, depth: 0, names: "", lines: 0..<0)]
    var lines: [Line] = []

    /// Prefix sums over `lines` (entry k covers lines 0..<k): bytes and link bytes.
    private(set) var bytePrefix: [Int] = [0]
    private(set) var linkPrefix: [Int] = [0]

    mutating func finishIndexes() {
        bytePrefix = [0]
        linkPrefix = [0]
        bytePrefix.reserveCapacity(lines.count + 1)
        linkPrefix.reserveCapacity(lines.count + 1)
        for line in lines {
            bytePrefix.append(bytePrefix.last! + line.bytes)
            linkPrefix.append(linkPrefix.last! + line.linkBytes)
        }
        for i in nodes.indices.dropFirst() { nodes[nodes[i].parent].children.append(i) }
    }

    func textBytes(_ node: Int) -> Int { bytePrefix[nodes[node].lines.upperBound] - bytePrefix[nodes[node].lines.lowerBound] }
    func linkBytes(_ node: Int) -> Int { linkPrefix[nodes[node].lines.upperBound] - linkPrefix[nodes[node].lines.lowerBound] }
    func linkDensity(_ node: Int) -> Double {
        let total = textBytes(node)
        return total == 0 ? 0 : Double(linkBytes(node)) / Double(total)
    }
}
