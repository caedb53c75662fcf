"""Scores extracted page texts against the gold pages at character level.

The page's visible texts (gold/*.json `segments`, in document order, labelled article / chrome / neutral) are split
into words; the extractor's output is split into words; the two word sequences are aligned (difflib, no junk
heuristic). A gold word counts as kept when the alignment matches it; each word weighs its length in characters.

- kept: characters of article words kept, over all article characters;
- removed: characters of chrome words not kept, over all chrome characters.
Neutral texts (headline, image captions) count neither way.

Usage: python3 score.py GOLD_DIR NAME=OUTPUT_DIR [NAME=OUTPUT_DIR ...] [--json] [--templates=T1,T2]
Each OUTPUT_DIR holds PAGE.txt for each gold PAGE.json. Prints a table per template and overall.
"""
import difflib
import json
import os
import sys
import unicodedata

STRIP = "\"'«»“”‘’()[]{}.,،؛;:!?؟…-–—|•·*/\\<>"
INVISIBLE = dict.fromkeys(map(ord, "\u200c\u200d\u200e\u200f\u061c\ufeff\u00ad\u0640"), None)


def words(text):
    text = unicodedata.normalize("NFC", text).translate(INVISIBLE)
    out = []
    for w in text.split():
        w = w.strip(STRIP)
        if w:
            out.append(w)
    return out


def score_page(gold, output):
    ref, labels = [], []
    for segment in gold["segments"]:
        for w in words(segment["text"]):
            ref.append(w)
            labels.append(segment["label"])
    got = words(output)
    kept = [False] * len(ref)
    matcher = difflib.SequenceMatcher(None, ref, got, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            kept[block.a + k] = True
    totals = {"article": 0, "chrome": 0, "neutral": 0}
    kept_chars = {"article": 0, "chrome": 0, "neutral": 0}
    for w, label, k in zip(ref, labels, kept):
        totals[label] += len(w)
        if k:
            kept_chars[label] += len(w)
    return totals, kept_chars


def main():
    only = [a.split("=", 1)[1].split(",") for a in sys.argv[1:] if a.startswith("--templates=")]
    args = [a for a in sys.argv[1:] if a != "--json" and not a.startswith("--templates=")]
    as_json = "--json" in sys.argv
    gold_dir = args[0]
    systems = [a.split("=", 1) for a in args[1:]]
    pages = sorted(f[:-5] for f in os.listdir(gold_dir) if f.endswith(".json"))
    results = {}
    for name, out_dir in systems:
        per_template = {}
        for page in pages:
            with open(os.path.join(gold_dir, page + ".json"), encoding="utf-8") as f:
                gold = json.load(f)
            if only and gold["template"] not in only[0]:
                continue
            path = os.path.join(out_dir, page + ".txt")
            output = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
            totals, kept = score_page(gold, output)
            for key in [gold["template"], "all"]:
                acc = per_template.setdefault(key, [0, 0, 0, 0])
                acc[0] += kept["article"]; acc[1] += totals["article"]
                acc[2] += totals["chrome"] - kept["chrome"]; acc[3] += totals["chrome"]
        results[name] = {k: {"kept": v[0] / v[1], "removed": v[2] / v[3]} for k, v in per_template.items()}
    if as_json:
        print(json.dumps(results, indent=1))
        return
    templates = [t for t in dict.fromkeys(json.load(open(os.path.join(gold_dir, p + ".json"), encoding="utf-8"))["template"]
                                          for p in pages) if not only or t in only[0]] + ["all"]
    header = f"{'template':<12}" + "".join(f"{name + ' kept':>24}{name + ' removed':>24}" for name, _ in systems)
    print(header)
    for t in templates:
        row = f"{t:<12}"
        for name, _ in systems:
            r = results[name][t]
            row += f"{100 * r['kept']:>23.1f}%{100 * r['removed']:>23.1f}%"
        print(row)


if __name__ == "__main__":
    main()
