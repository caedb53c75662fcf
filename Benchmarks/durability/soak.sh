#!/usr/bin/env bash
# Soak under faults, on a release build.
#
# Batch mode (the default): a batch of JOBS articles (the ANT corpus repeated with distinct ids), WORKERS workers,
# and a random process (dispatcher, collector, a worker or a supervised worker's analysis process) killed with
# SIGKILL every ~KILL_EVERY seconds and started again on the same endpoint, journal and store. Prints submitted,
# acknowledged, stored, dead-lettered, lost, duplicate rows, redispatches, the longest stall after a kill and the
# throughput; exits 1 if anything acknowledged was lost or stored twice.
#   Benchmarks/durability/soak.sh [JOBS] [WORKERS] [KILL_EVERY]   (MIRSAD_FAULT_SEED replays a run)
#
# Duration mode: a steady queue of tiny jobs (workers with --analysis none unless --analysis is given) for as long
# as --duration, up to --jobs jobs, with kills of random roles every --kill-every seconds (default 5); stored jobs
# are forgotten after --stored-retention (default 2m here, so that the journal's bound shows within the run).
# Samples the journal's size (file and write-ahead log) and the dispatcher's resident memory every --sample-every
# seconds into a CSV, then prints lost, duplicates and the size and memory ranges; exits 1 on any loss.
#   Benchmarks/durability/soak.sh --duration 2h --jobs 3000000 [--workers 3] [--kill-every 5] [--csv FILE] ...
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
swift build -c release --package-path "$root" --product mirsad >/dev/null
if [[ "${1:-}" == --* ]]; then
  exec python3 "$root/Benchmarks/durability/durability.py" soak --binary "$root/.build/release/mirsad" "$@" \
    ${SOAK_OPTIONS:-}
fi
jobs="${1:-100000}"
workers="${2:-3}"
kill_every="${3:-5}"
shared="${MIRSAD_SHARED:-$root/../shared}"
exec python3 "$root/Benchmarks/durability/durability.py" soak --binary "$root/.build/release/mirsad" \
  --shared "$shared" --jobs "$jobs" --workers "$workers" --supervised $(( (workers + 1) / 2 )) --kill-every "$kill_every" \
  ${SOAK_OPTIONS:-}
