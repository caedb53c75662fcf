#!/bin/sh
# Quote, speaker and named-source figures on the hand-annotated gold set (see README.md), end to end through
# `mirsad analyze --json`. Usage: Benchmarks/quotes/run.sh [MIRSAD_BINARY]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${MIRSAD_SHARED:-$root/../shared}
if [ $# -ge 1 ]; then
    mirsad=$1
else
    (cd "$root" && swift build -c release --product mirsad >/dev/null)
    mirsad="$root/.build/release/mirsad"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The gold articles, taken from the ANT sample by id.
python3 - "$here/gold.jsonl" "$shared/corpus/ant/sample-500.jsonl" > "$work/articles.jsonl" <<'PY'
import json, sys
ids = {json.loads(l)['id'] for l in open(sys.argv[1], encoding='utf-8')}
for line in open(sys.argv[2], encoding='utf-8'):
    if json.loads(line)['id'] in ids:
        sys.stdout.write(line)
PY
"$mirsad" analyze --json "$work/articles.jsonl" > "$work/analyses.jsonl"
python3 "$here/score.py" "$here/gold.jsonl" "$here/named-sources.jsonl" "$work/analyses.jsonl" ${VERBOSE:+-v}
