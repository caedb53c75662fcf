/// A named-entity span over the tokens of one sentence: tokens `[start, end)`.
public struct TokenEntitySpan: Sendable, Hashable {
    public var type: EntityType
    public var start: Int
    public var end: Int
    public init(type: EntityType, start: Int, end: Int) {
        self.type = type
        self.start = start
        self.end = end
    }
}

/// Finds named entities in tokenised sentences.
///
/// Input tokens are ANERcorp-style: words, numbers and punctuation marks as separate tokens, clitics still
/// attached, as written (not normalised). Immutable, so one instance serves many threads.
public struct EntityRecognizer: Sendable {
    public init() {}

    /// The recognizer with the model that ships in the package's resources.
    public static func bundled() throws -> EntityRecognizer { EntityRecognizer() }

    public func recognize(_ tokens: [String]) -> [TokenEntitySpan] { [] }
}
