/// How far a producer has got, for whoever shows it: counts only, as often as they change; the display decides
/// how often to draw.
public struct ProducerProgress: Sendable, Equatable {
    public enum Stage: String, Sendable {
        /// Articles read and sent to the dispatcher; no total is known while reading.
        case submitted
        /// Results stored, of the batch's total (`submit --wait`).
        case stored
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
