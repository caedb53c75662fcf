#!/usr/bin/env bash
# End-to-end throughput: the dispatcher, the collector and WORKERS workers as separate processes on TCP loopback,
# a producer submitting INPUT and waiting until it is stored; then `mirsad run` on the same input. Checks that the
# store holds one row per article and that `mirsad status --json` agrees, and prints articles/s for both.
# Usage: Benchmarks/cluster/run.sh [INPUT] [WORKERS]
# JOURNAL=memory keeps the dispatcher's jobs in memory (for comparison with the durable journal, the default).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
input="${1:-$root/../shared/corpus/ant/articles.jsonl.gz}"
workers="${2:-2}"
swift build -c release --package-path "$root" >/dev/null
bin="$root/.build/release/mirsad"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

ready() {  # the endpoint a service prints on its READY line
  for _ in $(seq 1 300); do
    line=$(grep -m1 '^READY ' "$1" 2>/dev/null || true)
    if [ -n "$line" ]; then echo "${line#READY }"; return; fi
    sleep 0.1
  done
  echo "no READY line in $1" >&2; exit 1
}

journal="$work/journal.sqlite"; [ "${JOURNAL:-}" = memory ] && journal=":memory:"
"$bin" dispatcher --bind 'tcp://127.0.0.1:*' --journal "$journal" >"$work/dispatcher.out" 2>"$work/dispatcher.log" & pids+=($!)
dispatcher=$(ready "$work/dispatcher.out")
"$bin" collector --bind 'tcp://127.0.0.1:*' --dispatcher "$dispatcher" --store "$work/cluster.sqlite" \
  >"$work/collector.out" 2>"$work/collector.log" & pids+=($!)
collector=$(ready "$work/collector.out")
threads=$(( $(nproc) / workers )); [ "$threads" -ge 1 ] || threads=1
for i in $(seq 1 "$workers"); do
  "$bin" worker --dispatcher "$dispatcher" --collector "$collector" --threads "$threads" \
    >"$work/worker-$i.out" 2>"$work/worker-$i.log" & pids+=($!)
  ready "$work/worker-$i.out" >/dev/null
done

report=$("$bin" submit "$input" --dispatcher "$dispatcher" --wait --json 2>"$work/submit.log")
status=$("$bin" status --dispatcher "$dispatcher" --json)
rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*), count(distinct job_id) from results').fetchone())" "$work/cluster.sqlite")
cleanup; pids=()

run=$(cd "$work" && "$bin" run "$input" --workers "$workers" --store "$work/run.sqlite" --json 2>"$work/run.log")
python3 - "$report" "$status" "$rows" "$run" <<'PY'
import json, sys
report, status, rows, run = json.loads(sys.argv[1]), json.loads(sys.argv[2]), eval(sys.argv[3]), json.loads(sys.argv[4])
print(f"separate processes: {report['stored']} of {report['articles']} stored in {report['seconds']:.1f} s = "
      f"{report['articles_per_second']:.0f} articles/s; store rows {rows[0]} (distinct job ids {rows[1]}); "
      f"status stored {status['stored']}, failed {status['failed']}, p50 {status['latency_p50_ms']:.0f} ms, "
      f"p99 {status['latency_p99_ms']:.0f} ms")
print(f"mirsad run:         {run['stored']} of {run['articles']} stored in {run['seconds']:.1f} s = "
      f"{run['articles_per_second']:.0f} articles/s")
ok = rows[0] == rows[1] == report['articles'] == status['stored'] and run['stored'] == run['articles']
print("checks:", "passed" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
