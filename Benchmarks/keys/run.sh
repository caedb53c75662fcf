#!/bin/sh
# Entity-key property counts (see check.py) over the ANT sample and the first N articles of the corpus, end to
# end through `mirsad analyze --json`. Usage: Benchmarks/keys/run.sh [N] [MIRSAD_BINARY]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${MIRSAD_SHARED:-$root/../shared}
n=${1:-2000}
if [ $# -ge 2 ]; then
    mirsad=$2
else
    (cd "$root" && swift build -c release --product mirsad >/dev/null)
    mirsad="$root/.build/release/mirsad"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$mirsad" analyze --json "$shared/corpus/ant/sample-500.jsonl" > "$work/sample.jsonl"
echo "== sample-500"
python3 "$here/check.py" "$work/sample.jsonl" "$shared/data/gazetteers"
gzip -dc "$shared/corpus/ant/articles.jsonl.gz" | head -n "$n" > "$work/first.jsonl"
"$mirsad" analyze --json "$work/first.jsonl" > "$work/first-analyses.jsonl"
echo "== first $n articles of articles.jsonl.gz"
python3 "$here/check.py" "$work/first-analyses.jsonl" "$shared/data/gazetteers"
