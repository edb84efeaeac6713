#!/usr/bin/env bash
# What latency a server can have on this machine for a given cost per
# request: build/bench/hello_world (bare Boost.Beast, the threading model of
# lotse serve) spending a fixed CPU time on every request (--work-us) and
# answering a body the size of a case page (--body-bytes), driven by wrk as
# bench/casework.sh drives lotse (32 connections that never pause). Prints a
# markdown table (req/s, p50, p99, server CPU per request) per cost and writes
# it to bench/results/capacity.md.
#
# Read it beside bench/results/casework.md: a lotse page that costs as much
# CPU as a row here but has a longer p99 loses the difference to waiting
# (locks, I/O, the scheduler), not to work; a p99 target below the row of a
# page's cost cannot be met on this machine by making waits shorter.
#
#   make bench-capacity                   # or: bash bench/capacity.sh after make build
#   WORK_US="0 250 500" BODY_BYTES=19000 bash bench/capacity.sh
#
# Knobs (environment): BUILD_DIR=build WORK_US="0 100 200 300 400 500 750 1000"
# BODY_BYTES=19000 DURATION=10s CONNECTIONS=32 WRK_THREADS=2 SERVER_THREADS=2
# WARMUP=2s
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
WORK_US=${WORK_US:-0 100 200 300 400 500 750 1000}
BODY_BYTES=${BODY_BYTES:-19000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-2}
WARMUP=${WARMUP:-2s}
HELLO="$BUILD_DIR/bench/hello_world"

# die, $tmp with its exit trap, free_port, wait_ready, measure_hello_work, run_wrk.
source bench/lib.sh
command -v wrk >/dev/null || die "wrk not found (make deps installs it)"
[[ -x "$HELLO" ]] || die "$HELLO not found - run 'make build' first"

echo "bench: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency against hello_world" \
  "with $SERVER_THREADS threads, $BODY_BYTES bytes per answer"
rows=()
for work in $WORK_US; do
  measure_hello_work "work-$work" "$work" "$BODY_BYTES"
  rows+=("$(awk -v w="$work" -v r="$rps" -v a="$p50" -v b="$p99" -v c="$cpu_ms" 'BEGIN {
    printf "| %d | %.0f | %.2f | %.2f | %.2f | %s |", w, r, a, b, (a > 0 ? b / a : 0), c }')")
  echo "bench: work $work us: $rps req/s, p50 $p50 ms, p99 $p99 ms, server CPU $cpu_ms ms/request"
done

report=$(
  echo "# Capacity of this machine $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown); $(nproc) CPUs; $(uname -sr)"
  echo "hello_world with $SERVER_THREADS threads spending a fixed CPU time per request," \
    "$BODY_BYTES bytes per answer; wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency" \
    "(after a $WARMUP warm-up) on the same machine"
  echo
  echo "| work per request (µs CPU) | req/s | p50 (ms) | p99 (ms) | p99 / p50 | server CPU ms/request |"
  echo "|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
)
mkdir -p bench/results
printf '%s\n' "$report" >bench/results/capacity.md
echo
printf '%s\n' "$report"
echo
echo "bench: written to bench/results/capacity.md"
