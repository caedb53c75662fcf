import Foundation

/// Text in Unicode normalization form C: entity keys as the analysis makes them, and every key the report store
/// keeps (entities, speakers, topics, keywords, sources).
///
/// SQLite and PostgreSQL compare text by its bytes, Swift's `String` by canonical equivalence. Two spellings of a
/// name that differ only in how an accent is encoded ("É" as one scalar, or "E" and a combining accent) would be
/// one key in memory and two rows in the tables: the sums a commit keeps in memory (`AggregateDeltas`) would not
/// match the per-article rows they sum, and a report would list the entity twice. In NFC, canonically equivalent
/// texts are byte for byte the same, so memory and tables agree and a name has one key however a page encoded it.
public enum CanonicalText {
    public static func nfc(_ text: String) -> String {
        isNFC(text) ? text : text.precomposedStringWithCanonicalMapping
    }

    /// True for text that NFC leaves as it is, decided without normalising: every scalar below U+0300 (there is
    /// no combining mark there, and no scalar there changes under NFC) or an Arabic-block scalar that is not a
    /// mark (the analysis drops Arabic diacritics from keys; a mark could be reordered or composed). Other text
    /// may be NFC too; it is normalised to be sure.
    public static func isNFC(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            let v = scalar.value
            if v < 0x0300 { return true }
            guard (0x0600...0x06FF).contains(v) else { return false }
            return !arabicBlockMarks[Int(v - 0x0600)]
        }
    }

    /// Whether each scalar of the Arabic block (U+0600 to U+06FF) is a mark, read once from its Unicode properties
    /// rather than once per scalar of every key.
    private static let arabicBlockMarks: [Bool] = (0x0600...0x06FF).map { value in
        switch Unicode.Scalar(UInt32(value))!.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }
}
