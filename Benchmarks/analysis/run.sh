#!/usr/bin/env bash
# Analysis core benchmark: Mirsad's core on one core (release build) against the Python peer, same articles,
# same run; then `mirsad analyze --json` end to end (reading, analysis, JSON, writing) against the core's own
# speed, with the direct JSON writer and with Foundation's JSONEncoder; then `analyze --threads 1` and `2`.
#
# Speeds are articles per CPU second of the process (user + sys, from /usr/bin/time), less the CPU second of the
# same command on one article (start-up: model loading, imports); best of 3 runs for Mirsad, one run for Python.
# CPU time is what the shared machines measure repeatably; wall-clock figures are printed too. The --threads runs
# are wall-clock throughput and only mean something on an otherwise idle machine (the load average is printed).
# Usage: Benchmarks/analysis/run.sh [ARTICLES_FILE] [LIMIT]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
input="${1:-$root/../shared/corpus/ant/articles.jsonl.gz}"
limit="${2:-2000}"
venv="${MIRSAD_BENCH_VENV:-$root/.build-bench-venv}"
mirsad="${MIRSAD_BIN:-$root/.build/release/mirsad}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

[ -n "${MIRSAD_BIN:-}" ] || swift build -c release --package-path "$root" --product mirsad >/dev/null
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import pyarabic, nltk, yake, datasketch" 2>/dev/null || "$venv/bin/pip" install -q pyarabic nltk yake datasketch

# The same articles for every command: the first LIMIT lines, and the first line alone (start-up cost).
if [[ "$input" == *.gz ]]; then (gzip -dc "$input" || true) | head -n "$limit" > "$work/articles.jsonl"; else head -n "$limit" "$input" > "$work/articles.jsonl"; fi
head -n 1 "$work/articles.jsonl" > "$work/one.jsonl"
count=$(wc -l < "$work/articles.jsonl")

# CPU seconds (user + sys) of a command, output discarded.
cpu() { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -n 1 | awk '{ print $1 + $2 }'; }
# Best (least) CPU seconds of 3 runs.
best_cpu() { local best=""; for _ in 1 2 3; do local t; t=$(cpu "$@"); best=$(python3 -c "print(min(float('$t'), float('${best:-1e9}')))"); done; echo "$best"; }
# Wall seconds of a command, output discarded.
wall() { local start end; start=$(date +%s.%N); "$@" > /dev/null; end=$(date +%s.%N); python3 -c "print($end - $start)"; }

echo "input: $input (first $count articles); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
swift_json=$(taskset -c 0 "$mirsad" benchmark analysis "$work/articles.jsonl" --json)
core=$(best_cpu taskset -c 0 "$mirsad" benchmark analysis "$work/articles.jsonl")
core1=$(best_cpu taskset -c 0 "$mirsad" benchmark analysis "$work/one.jsonl")
python_json=$(taskset -c 0 "$venv/bin/python" "$root/Benchmarks/analysis/python_peer.py" "$work/articles.jsonl" "$count")
py=$(cpu taskset -c 0 "$venv/bin/python" "$root/Benchmarks/analysis/python_peer.py" "$work/articles.jsonl" "$count")
py1=$(cpu taskset -c 0 "$venv/bin/python" "$root/Benchmarks/analysis/python_peer.py" "$work/one.jsonl" 1)
direct=$(best_cpu taskset -c 0 "$mirsad" analyze --json "$work/articles.jsonl")
foundation=$(best_cpu taskset -c 0 "$mirsad" analyze --json --foundation-encoder "$work/articles.jsonl")
analyze1=$(best_cpu taskset -c 0 "$mirsad" analyze --json "$work/one.jsonl")
start1=$(wall "$mirsad" analyze --json "$work/one.jsonl")
threads1=$(wall "$mirsad" analyze --json --threads 1 "$work/articles.jsonl")
threads2=$(wall "$mirsad" analyze --json --threads 2 "$work/articles.jsonl")

python3 - "$swift_json" "$python_json" "$count" "$core" "$core1" "$py" "$py1" "$direct" "$foundation" "$analyze1" \
  "$start1" "$threads1" "$threads2" <<'PY'
import json, sys
s, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
n = int(sys.argv[3])
core, core1, py, py1, direct, foundation, analyze1, start1, t1, t2 = map(float, sys.argv[4:14])
rate = lambda t, t0: n / max(t - t0, 1e-9)
core_rate, py_rate = rate(core, core1), rate(py, py1)
print(f"wall clock, as each program times itself: mirsad {s['articles_per_s']:.0f} articles/s, "
      f"python {p['articles_per_s']:.1f} articles/s ({s['articles_per_s'] / p['articles_per_s']:.1f}x)")
print(f"per CPU second: mirsad core {core_rate:.0f} articles/s, python {py_rate:.1f} articles/s: "
      f"ratio {core_rate / py_rate:.1f}x")
for name, t in [("analyze --json, direct writer", direct), ("analyze --json, Foundation JSONEncoder", foundation)]:
    r = rate(t, analyze1)
    print(f"{name}: {r:.0f} articles per CPU second = {100 * r / core_rate:.0f}% of the core's speed")
for name, t in [("analyze --json --threads 1", t1), ("analyze --json --threads 2", t2)]:
    print(f"{name}: {rate(t, start1):.0f} articles/s wall clock")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
