/// Why a decoded protobuf value does not make a valid domain value. Names the field that was wrong.
public struct WireConversionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field path, e.g. "analysis.entities[3].type".
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }
}
