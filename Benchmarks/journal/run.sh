#!/usr/bin/env bash
# Job journal benchmark (release build): throughput of every ANT article through insert (chunks of 256), take,
# awaiting store and stored (chunks of 32), a commit after each chunk; then memory and file size with 1,000,000
# queued jobs of ~1 KB of which 1,000 are taken. Usage: Benchmarks/journal/run.sh [QUEUED_JOBS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${MIRSAD_SHARED:-$root/../shared}
queued=${1:-1000000}
scratch=${MIRSAD_BENCH_SCRATCH:-$root/.build}
swift build -c release --product mirsad --package-path "$root" --scratch-path "$scratch" >/dev/null
bin="$scratch/release/mirsad"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

corpus="$shared/corpus/ant/articles.jsonl.gz"
if [[ -f "$corpus" ]]; then
    for sync in full normal; do
        echo "== ANT corpus, synchronous $sync"
        "$bin" benchmark journal "$corpus" --path "$work/lifecycle.sqlite" --synchronous "$sync"
    done
else
    echo "skipping the ANT run: $corpus is missing (set MIRSAD_SHARED)" >&2
fi
echo "== $queued queued jobs of 1 KB, take 1000 (peak RSS is the whole process's)"
"$bin" benchmark journal --queued "$queued" --article-bytes 1024 --take 1000 --path "$work/queued.sqlite"
echo "== 100000 queued jobs, for comparison of peak RSS"
"$bin" benchmark journal --queued 100000 --article-bytes 1024 --take 1000 --path "$work/queued-small.sqlite"
