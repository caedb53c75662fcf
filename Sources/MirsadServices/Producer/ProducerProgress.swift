/// How far a producer has got, for whoever shows it: counts only, as often as they change; the display decides
/// how often to draw.
public struct ProducerProgress: Sendable, Equatable {
    public enum Stage: String, Sendable {
        /// Articles read and sent to the dispatcher; no total is known while reading.
        case submitted
        /// Results stored, of the batch's total (`submit --wait`).
        case stored
        /// Results indexed for reports after the batch was stored, of those that waited then (`mirsad run`, whose
        /// summary reads the reports).
        case indexed

        /// Whether the stage's rate counts from its own first report rather than from the command's start: indexing
        /// catches up only once storing has ended, and its pace from the start would make its ETA many times too long.
        public var ratesFromItsOwnStart: Bool { self == .indexed }
    }

    public var stage: Stage
    public var done: Int
    public var total: Int?
    /// The last report of this stage.
    public var isFinal: Bool

    public init(stage: Stage, done: Int, total: Int?, isFinal: Bool) {
        self.stage = stage
        self.done = done
        self.total = total
        self.isFinal = isFinal
    }
}
