#!/usr/bin/env bash
# Rebuilds every resource of the named-entity recognizer with `mirsad train` (release build) into a temporary
# directory and checks that each is byte for byte the shipped file. Usage: Benchmarks/ner/rebuild.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${MIRSAD_SHARED:-$root/../shared}"
resources="$root/Sources/ArticleAnalysis/Resources"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

swift build -c release --package-path "$root" --product mirsad >/dev/null
mirsad="$root/.build/release/mirsad"

"$mirsad" train ner-lexicon "$shared/corpus/ant/articles.jsonl.gz" --output "$out/ner-lexicon.txt"
"$mirsad" train ner-clusters "$shared/corpus/ant/articles.jsonl.gz" --output "$out/ner-clusters.txt"
"$mirsad" train ner-name-lists "$shared/data/gazetteers" --output "$out/ner-name-lists.txt"
# The model is trained with the freshly built files, so a difference anywhere upstream shows here too.
"$mirsad" train ner "$shared/data/anercorp/train.txt" --lexicon "$out/ner-lexicon.txt" \
  --clusters "$out/ner-clusters.txt" --name-lists "$out/ner-name-lists.txt" --output "$out/ner-model.bin"

status=0
for f in ner-lexicon.txt ner-clusters.txt ner-name-lists.txt ner-model.bin; do
  if cmp -s "$out/$f" "$resources/$f"; then
    echo "$f: identical ($(wc -c <"$resources/$f") bytes)"
  else
    echo "$f: DIFFERS from the shipped file"
    status=1
  fi
done
exit $status
