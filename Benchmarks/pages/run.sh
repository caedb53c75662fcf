#!/usr/bin/env bash
# Page cleaning: Mirsad (`mirsad analyze --json`, release build) and trafilatura on the same gold pages, same run,
# scored at character level by score.py. Usage: Benchmarks/pages/run.sh [GOLD_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/Benchmarks/pages"
gold="${1:-$here/gold}"
venv="${MIRSAD_BENCH_VENV:-$root/.build-bench-venv}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

swift build -c release --package-path "$root" --product mirsad >/dev/null
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import trafilatura" 2>/dev/null || "$venv/bin/pip" install -q trafilatura lxml_html_clean

"$root/.build/release/mirsad" analyze --json "$gold"/*.html | python3 "$here/mirsad_pages.py" "$out/mirsad"
"$venv/bin/python" "$here/trafilatura_pages.py" "$gold" "$out/trafilatura"
echo "pages: $(ls "$gold"/*.html | wc -l) in $gold; trafilatura $("$venv/bin/python" -c 'import trafilatura; print(trafilatura.__version__)')"
echo "tuned on: wordpress, divsoup, html5, table; held aside: amp, portal, magazine"
python3 "$here/score.py" "$gold" "mirsad=$out/mirsad" "trafilatura=$out/trafilatura"
