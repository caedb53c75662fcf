#!/bin/sh
# Fills a report store with synthetic analysed articles (release build) and times every report query; first compares
# the cost per stored result with and without articles, aggregates and stories.
#
#   Benchmarks/report/run.sh [ARTICLES] [COMPARE]     default 1000000 articles, 20000 results for the comparison
#
# The store is a SQLite file in $MIRSAD_BENCH_DIR (default /tmp), removed afterwards unless KEEP=1; or, with
# MIRSAD_BENCH_STORE=postgres://USER:PASSWORD@HOST:PORT/DATABASE?schema=NAME, a PostgreSQL store (the comparison
# stores go in the schemas compare_on and compare_off of the same database; the store's schema is kept).
set -eu
articles="${1:-1000000}"
compare="${2:-20000}"
dir="${MIRSAD_BENCH_DIR:-/tmp}"
store="${MIRSAD_BENCH_STORE:-$dir/mirsad-report-bench-$$.sqlite}"
cd "$(dirname "$0")/../.."
swift build -c release --product mirsad >/dev/null
.build/release/mirsad --version
date -u
.build/release/mirsad benchmark report --store "$store" --articles "$articles" --compare "$compare"
case "$store" in
postgres://*|postgresql://*) ;;
*) if [ "${KEEP:-0}" != 1 ]; then rm -f "$store" "$store-wal" "$store-shm"; fi ;;
esac
