#!/usr/bin/env bash
# Large-input benchmark: the analysis core (`mirsad benchmark analysis`, release build, pinned to one core) on one
# article of growing size, the same Arabic paragraph repeated. The analysis keeps at most 1 MiB of text
# (InputSanitizer.maxInputBytes, flagged `truncated`) and the reader refuses files over 4 MiB, so seconds per MiB
# should stay flat up to 1 MiB and the 3.9 MiB article should cost about what the 1 MiB one does. Each size is
# analysed 5 times in one process, best of 3 processes (wall clock as the command times its own analysis, start-up
# left out); the machines are shared, so compare the rows of one run, not runs of different days.
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

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-10s %-14s %-16s %s\n" "KiB" "s per article" "s per MiB kept" "flags"
for kib in 64 256 512 1024 3990; do
  f="$work/$kib.txt"
  best=""
  for _ in 1 2 3; do
    t=$(taskset -c 0 "$mirsad" benchmark analysis "$f" "$f" "$f" "$f" "$f" --json | python3 -c "import json, sys; print(json.load(sys.stdin)['seconds'] / 5)")
    best=$(python3 -c "print(min(float('$t'), float('${best:-1e9}')))")
  done
  flags=$("$mirsad" analyze --json "$f" | python3 -c "import json, sys; print(','.join(json.load(sys.stdin)['analysis'].get('flags', [])) or '-')")
  python3 -c "print(f'{$kib:<10} {$best:<14.3f} {$best / min($kib, 1024) * 1024:<16.3f} $flags')"
done
