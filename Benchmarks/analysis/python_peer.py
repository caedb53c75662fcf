"""The Python peer of the analysis benchmark: less work than Mirsad's core on the same articles.

pyarabic normalisation and tokenisation, NLTK's ISRI stemmer, YAKE keywords and a datasketch MinHash, on one core.
Prints one JSON line: {"articles": N, "seconds": S, "articles_per_s": R, "mb_per_s": M}.
"""
import gzip
import json
import sys
import time

import pyarabic.araby as araby
import yake
from datasketch import MinHash
from nltk.stem.isri import ISRIStemmer


def read_articles(path, limit):
    opener = gzip.open if path.endswith(".gz") else open
    texts = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if len(texts) >= limit:
                break
            record = json.loads(line)
            text = record.get("text") or ""
            if text.strip():
                texts.append(text)
    return texts


def analyse(text, stemmer, extractor):
    normal = araby.strip_tashkeel(araby.strip_tatweel(araby.normalize_hamza(araby.normalize_ligature(text))))
    tokens = araby.tokenize(normal)
    stems = [stemmer.stem(t) for t in tokens]
    keywords = extractor.extract_keywords(normal)
    signature = MinHash(num_perm=64)
    for i in range(len(stems) - 2):
        signature.update(" ".join(stems[i:i + 3]).encode("utf-8"))
    return len(tokens), keywords[:10], signature.digest()


def main():
    path = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 10**9
    texts = read_articles(path, limit)
    stemmer = ISRIStemmer()
    extractor = yake.KeywordExtractor(lan="ar", n=3, top=10)
    total_bytes = sum(len(t.encode("utf-8")) for t in texts)
    start = time.perf_counter()
    for text in texts:
        analyse(text, stemmer, extractor)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "articles": len(texts),
        "seconds": round(seconds, 3),
        "articles_per_s": round(len(texts) / seconds, 2),
        "mb_per_s": round(total_bytes / seconds / 1e6, 4),
    }))


if __name__ == "__main__":
    main()
