#!/usr/bin/env bash
# Memory of a long queue: a release dispatcher with a SQLite journal and no workers; 10,000 small jobs submitted,
# then more up to JOBS (default 1,000,000) in the same run. Prints the dispatcher's peak resident memory (VmHWM from
# /proc/PID/status), its resident memory and the journal's size at each point: the in-memory state holds in-flight
# jobs and counts only, so the peak should not grow with the queue.
# Usage: Benchmarks/durability/queue-memory.sh [JOBS]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
jobs="${1:-1000000}"
swift build -c release --package-path "$root" --product mirsad >/dev/null
exec python3 "$root/Benchmarks/durability/durability.py" queue-memory --binary "$root/.build/release/mirsad" --jobs "$jobs"
