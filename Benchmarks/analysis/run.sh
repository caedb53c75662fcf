#!/usr/bin/env bash
# Analysis core benchmark: Mirsad's core on one core (release build) against the Python peer, same articles,
# same run. Usage: Benchmarks/analysis/run.sh [ARTICLES_FILE] [LIMIT]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
input="${1:-$root/../shared/corpus/ant/articles.jsonl.gz}"
limit="${2:-2000}"
venv="${MIRSAD_BENCH_VENV:-$root/.build-bench-venv}"

swift build -c release --package-path "$root" >/dev/null
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pyarabic nltk yake datasketch
fi

echo "input: $input (first $limit articles)"
swift_json=$(taskset -c 0 "$root/.build/release/mirsad" benchmark analysis "$input" --limit "$limit" --json)
python_json=$(taskset -c 0 "$venv/bin/python" "$root/Benchmarks/analysis/python_peer.py" "$input" "$limit")
echo "mirsad: $swift_json"
echo "python: $python_json"
python3 - "$swift_json" "$python_json" <<'PY'
import json, sys
s, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"ratio: {s['articles_per_s'] / p['articles_per_s']:.1f}x articles/s "
      f"({s['articles_per_s']:.0f} vs {p['articles_per_s']:.1f}), MB/s {s['mb_per_s']:.2f} vs {p['mb_per_s']:.3f}")
PY
