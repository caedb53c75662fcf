#!/usr/bin/env bash
# A small batch behind a large one, with real processes: a dispatcher, a collector and WORKERS workers on loopback.
# Submits SMALL articles alone (--wait), then BIG articles (acknowledged, not waited for) and SMALL again (--wait),
# and prints the small batch's time alone and behind the large one, and how much of the large batch was stored by
# then.
#
#   Benchmarks/fairness/run.sh [--mirsad PATH] [--big 5000] [--small 50] [--workers 2] [--capacity N]
#
# --capacity is the workers' credit (default: the worker's own default). Jobs already at the workers are not taken
# back, so the small batch also waits for up to WORKERS x CAPACITY jobs of the large one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mirsad="$root/.build/release/mirsad"; big=5000; small=50; workers=2; capacity=""
while [ $# -gt 0 ]; do
  case "$1" in
    --mirsad) mirsad="$2"; shift 2 ;;
    --big) big="$2"; shift 2 ;;
    --small) small="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --capacity) capacity="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 64 ;;
  esac
done
dir="$(mktemp -d /tmp/mirsad-fairness-XXXXXX)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

articles() {  # prefix count -> JSON Lines
  python3 - "$1" "$2" <<'PY'
import json, sys
prefix, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    text = f"قال وزير الخارجية في القاهرة اليوم إن المحادثات ستستمر، وذلك في الخبر رقم {i} من {prefix}."
    print(json.dumps({"id": f"{prefix}-{i}", "title": f"خبر {i}", "text": text}, ensure_ascii=False))
PY
}
articles alone "$small" > "$dir/alone.jsonl"
articles big "$big" > "$dir/big.jsonl"
articles small "$small" > "$dir/small.jsonl"

ready() {  # log file -> endpoint from its READY line
  for _ in $(seq 1 600); do
    if line=$(grep -m1 '^READY ' "$1" 2>/dev/null); then echo "${line#READY }"; return; fi
    sleep 0.1
  done
  echo "no READY in $1" >&2; exit 1
}
"$mirsad" dispatcher --bind 'tcp://127.0.0.1:*' --journal "$dir/journal.sqlite" > "$dir/dispatcher.out" 2> "$dir/dispatcher.log" &
pids+=($!)
dispatcher=$(ready "$dir/dispatcher.out")
"$mirsad" collector --bind 'tcp://127.0.0.1:*' --dispatcher "$dispatcher" --store "$dir/reports.sqlite" \
  > "$dir/collector.out" 2> "$dir/collector.log" &
pids+=($!)
collector=$(ready "$dir/collector.out")
for i in $(seq 1 "$workers"); do
  "$mirsad" worker --dispatcher "$dispatcher" --collector "$collector" ${capacity:+--capacity "$capacity"} \
    > "$dir/worker-$i.out" 2> "$dir/worker-$i.log" &
  pids+=($!)
  ready "$dir/worker-$i.out" > /dev/null
done

seconds() { python3 -c 'import json,sys; print("%.2f" % json.load(sys.stdin)["seconds"])'; }
alone=$("$mirsad" submit "$dir/alone.jsonl" --dispatcher "$dispatcher" --wait --json 2>/dev/null | seconds)
"$mirsad" submit "$dir/big.jsonl" --dispatcher "$dispatcher" --json > /dev/null 2>&1
behind=$("$mirsad" submit "$dir/small.jsonl" --dispatcher "$dispatcher" --wait --json 2>/dev/null | seconds)
stored=$("$mirsad" status --dispatcher "$dispatcher" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["stored"])')
echo "fairness: $small articles alone ${alone} s; behind $big: ${behind} s ($(python3 -c "print(f'{$behind/$alone:.1f}')")x);" \
  "$((stored - 2 * small)) of $big of the large batch stored by then (workers $workers, capacity ${capacity:-default})"
