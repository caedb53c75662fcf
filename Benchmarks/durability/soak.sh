#!/usr/bin/env bash
# Soak under faults: a release build, a batch of JOBS articles (the ANT corpus repeated with distinct ids), WORKERS
# workers, and a random process (dispatcher, collector, a worker or a supervised worker's analysis process) killed
# with SIGKILL every ~KILL_EVERY seconds and started again on the same endpoint, journal and store. Prints submitted,
# acknowledged, stored, dead-lettered, lost, duplicate rows, redispatches, the longest stall after a kill and the
# throughput; exits 1 if anything acknowledged was lost or stored twice.
# Usage: Benchmarks/durability/soak.sh [JOBS] [WORKERS] [KILL_EVERY]   (MIRSAD_FAULT_SEED replays a run)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
jobs="${1:-100000}"
workers="${2:-3}"
kill_every="${3:-5}"
shared="${MIRSAD_SHARED:-$root/../shared}"
swift build -c release --package-path "$root" --product mirsad >/dev/null
exec python3 "$root/Benchmarks/durability/durability.py" soak --binary "$root/.build/release/mirsad" \
  --shared "$shared" --jobs "$jobs" --workers "$workers" --supervised $(( (workers + 1) / 2 )) --kill-every "$kill_every" \
  ${SOAK_OPTIONS:-}
