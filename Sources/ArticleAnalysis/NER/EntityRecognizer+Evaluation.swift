extension EntityRecognizer {
    /// Scores the recognizer on gold-tagged sentences (exact span matching, as conlleval).
    public func evaluate(_ sentences: [TaggedSentence]) -> EntityScore {
        var score = EntityScore()
        for sentence in sentences {
            let spans = recognize(sentence.tokens)
            score.add(gold: sentence.tags, predicted: TokenEntitySpan.tags(of: spans, count: sentence.tokens.count))
        }
        return score
    }
}
