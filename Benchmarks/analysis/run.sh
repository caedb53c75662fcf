#!/usr/bin/env bash
# Analysis core benchmark: Mirsad's core on one core (release build) against the Python peer, same articles,
# same run; then `mirsad analyze --json` end to end (reading, analysis, JSON, writing) against the core's own
# speed, with the direct JSON writer and with Foundation's JSONEncoder; then `analyze --threads 1` and `2`.
# Usage: Benchmarks/analysis/run.sh [ARTICLES_FILE] [LIMIT]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
input="${1:-$root/../shared/corpus/ant/articles.jsonl.gz}"
limit="${2:-2000}"
venv="${MIRSAD_BENCH_VENV:-$root/.build-bench-venv}"
mirsad="$root/.build/release/mirsad"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

swift build -c release --package-path "$root" --product mirsad >/dev/null
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import pyarabic, nltk, yake, datasketch" 2>/dev/null || "$venv/bin/pip" install -q pyarabic nltk yake datasketch

# The same articles for every command: the first LIMIT lines, and the first line alone (start-up cost).
if [[ "$input" == *.gz ]]; then (gzip -dc "$input" || true) | head -n "$limit" > "$work/articles.jsonl"; else head -n "$limit" "$input" > "$work/articles.jsonl"; fi
head -n 1 "$work/articles.jsonl" > "$work/one.jsonl"
count=$(wc -l < "$work/articles.jsonl")

echo "input: $input (first $count articles)"
swift_json=$(taskset -c 0 "$mirsad" benchmark analysis "$work/articles.jsonl" --json)
python_json=$(taskset -c 0 "$venv/bin/python" "$root/Benchmarks/analysis/python_peer.py" "$work/articles.jsonl" "$count")
echo "mirsad: $swift_json"
echo "python: $python_json"

# Wall seconds of a command (output discarded).
seconds() {
  local start end
  start=$(date +%s.%N); "$@" > /dev/null; end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}
startup=$(seconds taskset -c 0 "$mirsad" analyze --json "$work/one.jsonl")
direct=$(seconds taskset -c 0 "$mirsad" analyze --json "$work/articles.jsonl")
foundation=$(seconds taskset -c 0 "$mirsad" analyze --json --foundation-encoder "$work/articles.jsonl")
threads1=$(seconds "$mirsad" analyze --json --threads 1 "$work/articles.jsonl")
threads2=$(seconds "$mirsad" analyze --json --threads 2 "$work/articles.jsonl")

python3 - "$swift_json" "$python_json" "$count" "$startup" "$direct" "$foundation" "$threads1" "$threads2" <<'PY'
import json, sys
s, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
n = int(sys.argv[3])
startup, direct, foundation, t1, t2 = map(float, sys.argv[4:9])
core = s["articles_per_s"]
print(f"ratio: {core / p['articles_per_s']:.1f}x articles/s "
      f"({core:.0f} vs {p['articles_per_s']:.1f}), MB/s {s['mb_per_s']:.2f} vs {p['mb_per_s']:.3f}")
for name, t in [("analyze --json (direct writer)", direct), ("analyze --json (Foundation JSONEncoder)", foundation)]:
    rate = n / max(t - startup, 1e-9)
    print(f"{name}, one core: {rate:.0f} articles/s = {100 * rate / core:.0f}% of the core's speed")
for name, t in [("analyze --json --threads 1", t1), ("analyze --json --threads 2", t2)]:
    print(f"{name}: {n / max(t - startup, 1e-9):.0f} articles/s")
print(f"(start-up {startup:.2f} s subtracted from each analyze run)")
PY
