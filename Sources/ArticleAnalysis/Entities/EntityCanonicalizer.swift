/// Merges entity variants under one key per entity, stable across articles.
public struct EntityCanonicalizer: Sendable {
    public init() {}

    /// The key of an entity mention (written form, one-letter clitics already removed).
    public func key(for text: String, type: EntityType) -> String { text }

    /// Gives each mention its canonical key and counts mentions per key.
    public func canonicalize(_ mentions: [EntityMention]) -> (mentions: [EntityMention], entities: [CanonicalEntity]) {
        var order: [String] = []
        var byKey: [String: CanonicalEntity] = [:]
        var out = mentions
        for i in out.indices {
            let k = key(for: out[i].text, type: out[i].type)
            out[i].canonical = k
            if var e = byKey[k] {
                e.mentions += 1
                if !e.variants.contains(out[i].text) { e.variants.append(out[i].text) }
                byKey[k] = e
            } else {
                order.append(k)
                byKey[k] = CanonicalEntity(key: k, type: out[i].type, mentions: 1, variants: [out[i].text])
            }
        }
        return (out, order.compactMap { byKey[$0] })
    }
}
