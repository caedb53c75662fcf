#!/usr/bin/env bash
# Large-input benchmark: `mirsad analyze --json` (release build) on one article of growing size, the same Arabic
# paragraph repeated. The analysis keeps at most 1 MiB of text (InputSanitizer.maxInputBytes, flagged `truncated`)
# and the reader refuses files over 4 MiB, so CPU per MiB should stay flat up to 1 MiB and the CPU of the 3.9 MiB
# article should be close to that of the 1 MiB one. CPU seconds are user + sys less a one-line article's (start-up),
# best of 3; the machines are shared, so compare the rows of one run, not runs of different days.
# Usage: Benchmarks/analysis/large-input.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
mirsad="${MIRSAD_BIN:-$root/.build/release/mirsad}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
[ -n "${MIRSAD_BIN:-}" ] || swift build -c release --package-path "$root" --product mirsad >/dev/null

python3 - "$work" <<'PY'
import sys
paragraph = "قال المتحدث باسم الوزارة إن المحادثات مستمرة في القاهرة لبحث وقف إطلاق النار.\n"
for kib in (1, 64, 256, 512, 1024, 3990):
    count = kib * 1024 // len(paragraph.encode()) + 1
    open(f"{sys.argv[1]}/{kib}.txt", "w").write(paragraph * count)
PY

cpu() { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -n 1 | awk '{ print $1 + $2 }'; }
best_cpu() { local best=""; for _ in 1 2 3; do local t; t=$(cpu "$@"); best=$(python3 -c "print(min(float('$t'), float('${best:-1e9}')))"); done; echo "$best"; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(best_cpu taskset -c 0 "$mirsad" analyze --json "$work/1.txt")
printf "%-10s %-12s %-14s %s\n" "KiB" "CPU s" "CPU s per MiB" "flags"
for kib in 64 256 512 1024 3990; do
  t=$(best_cpu taskset -c 0 "$mirsad" analyze --json "$work/$kib.txt")
  flags=$("$mirsad" analyze --json "$work/$kib.txt" | python3 -c "import json, sys; print(','.join(json.load(sys.stdin)['analysis'].get('flags', [])) or '-')")
  python3 -c "t = $t - $start; print(f'{$kib:<10} {t:<12.3f} {t / min($kib, 1024) * 1024:<14.3f} $flags')"
done
