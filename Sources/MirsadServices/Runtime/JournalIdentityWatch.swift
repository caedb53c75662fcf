/// What a worker or collector remembers of the dispatcher's job journal: the identity its WELCOMEs name. A change
/// means the dispatcher now keeps another journal (deleted, replaced, or another dispatcher at the address), so
/// jobs acknowledged before may be gone: worth a line in the log, though nothing here can bring them back.
struct JournalIdentityWatch {
    private var known = ""

    /// The warning to log when a WELCOME names another journal than an earlier one, nil otherwise.
    mutating func welcomed(journalID: String) -> String? {
        guard !journalID.isEmpty else { return nil }
        defer { known = journalID }
        guard !known.isEmpty, known != journalID else { return nil }
        return """
            the dispatcher's job journal changed from \(known) to \(journalID): jobs it acknowledged before may be \
            lost (producers waiting on their batches are told how many)
            """
    }
}
