import GRDB

/// Schema v15: minhash signatures of 32 values (`Fingerprinter.signatureLength`), in 8 bands of the story index.
///
/// A signature of 64 values took about 260 bytes of every compressed analysis (its values are random, so they do
/// not compress), 128 in its article's row and 16 postings in `term_postings`; the first 32 values of one of
/// 64 are the signature of 32 of the same article, so an article stored before v15 keeps its first 8 bands and the
/// first 32 values of its row's signature and is matched against newer ones as if it had been stored now.
///
/// Invariant (as before v15): an article's band postings are `StoryClustering.bandKeys` of its facts' signature,
/// which `ArticleFacts` cuts to `Fingerprinter.signatureLength` values, whichever analysis it comes from.
enum ShortSignaturesSchema {
    /// `StoryClustering.bandKey` keeps the band in bits 42-46 of `-1 - key`.
    static let migration = """
        DELETE FROM term_postings WHERE term < 0 AND (((-1 - term) >> 42) & 31) >= 8;
        UPDATE articles SET minhash = substr(minhash, 1, 1 + 2 * 32) WHERE length(minhash) > 1 + 2 * 32;
        """

    /// The v15 migration; then, for a store written before v4, its articles (see `SQLiteSchema`).
    static func migrate(_ db: Database) throws {
        try db.execute(sql: migration)
        try ArticleLedger.rebuildIfNoArticles(db)
    }
}
