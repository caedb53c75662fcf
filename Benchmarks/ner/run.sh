#!/usr/bin/env bash
# Named-entity recognition figures, release build, through the real commands:
#  1. tuning split: train on the first 4/6 of ANERcorp train (in file order, i.e. by document position), score the
#     5th sixth; the last sixth is not read;
#  2. final check: train on the first 5/6, score the last sixth (untouched while tuning);
#  3. the shipped model (trained on all of ANERcorp train) on AQMAR test;
#  4. recognition speed of the shipped model on one core (thread CPU time, reading and scoring excluded).
# Usage: Benchmarks/ner/run.sh [extra `mirsad train ner` options, e.g. --epochs 20]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${MIRSAD_SHARED:-$root/../shared}"
train="$shared/data/anercorp/train.txt"
aqmar="$shared/data/aqmar/test.txt"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

swift build -c release --package-path "$root" --product mirsad >/dev/null
mirsad="$root/.build/release/mirsad"

echo "== 1. train on sixths 1-4, dev = sixth 5 (scored after each epoch), AQMAR test at the end"
"$mirsad" train ner "$train" --held-out-tail 0.1667 --dev-tail 0.1667 --also-score "$aqmar" \
  --output "$out/tuning.bin" "$@"
echo "== 2. train on sixths 1-5, final check on sixth 6"
"$mirsad" train ner "$train" --dev-tail 0.1667 --also-score "$aqmar" --output "$out/final.bin" "$@" | sed -n '/^dev/,$p'
echo "== 3. the shipped model on AQMAR test, and 4. its speed on one core"
taskset -c 0 "$mirsad" eval ner "$aqmar"
taskset -c 0 "$mirsad" eval ner "$train" | head -1
