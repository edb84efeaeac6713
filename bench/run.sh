#!/usr/bin/env bash
# Throughput and tail latency of `lotse serve` against a bare Boost.Beast
# hello world with the same threading model, both measured with wrk on
# 127.0.0.1. Run from anywhere after `make build` (or via `make bench`):
#
#   bash bench/run.sh                 # both servers, writes bench/results/latest.md
#   bash bench/run.sh --hello-only    # baseline only (no lotse binary needed)
#
# Knobs (environment): BUILD_DIR=build DURATION=10s CONNECTIONS=64
# WRK_THREADS=2 SERVER_THREADS=2 WARMUP=2s
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-2}
WARMUP=${WARMUP:-2s}
LOTSE="$BUILD_DIR/lotse"
HELLO="$BUILD_DIR/bench/hello_world"
USERNAME=15003-jc
PASSWORD=demo

hello_only=0
case "${1:-}" in
  "") ;;
  --hello-only) hello_only=1 ;;
  *) echo "usage: $0 [--hello-only]" >&2; exit 2 ;;
esac

# die, $tmp with its exit trap, free_port, wait_ready, start_hello, run_wrk.
source bench/lib.sh

command -v wrk >/dev/null || die "wrk not found (make deps installs it)"
command -v curl >/dev/null || die "curl not found (make deps installs it)"
[[ -x "$HELLO" ]] || die "$HELLO not found - run 'make build' first"
if ((!hello_only)); then
  [[ -x "$LOTSE" ]] || die "$LOTSE not found - run 'make build' first (or use --hello-only)"
fi

echo "bench: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency, servers with $SERVER_THREADS threads"

# --- baseline: bare Beast hello world ---------------------------------------
start_hello
cpu_pid=$hello_pid
run_wrk hello "http://127.0.0.1:$hello_port/"
hello_rps=$rps
hello_p99=$p99
echo "bench: hello_world  GET /            ${hello_rps} req/s, p99 ${hello_p99} ms"

# --- lotse: authenticated API request ----------------------------------------
if ((!hello_only)); then
  db="sqlite:$tmp/b.db"
  "$LOTSE" migrate --database "$db" >"$tmp/migrate.log" 2>&1 ||
    { cat "$tmp/migrate.log" >&2; die "lotse migrate failed"; }
  "$LOTSE" demo --database "$db" >"$tmp/demo.log" 2>&1 ||
    { cat "$tmp/demo.log" >&2; die "lotse demo failed"; }
  lotse_port=$(free_port)
  "$LOTSE" serve --database "$db" --port "$lotse_port" --threads "$SERVER_THREADS" \
    --no-access-log >"$tmp/lotse.log" 2>&1 &
  pids+=($!)
  base="http://127.0.0.1:$lotse_port"
  wait_ready lotse "${pids[-1]}" "$base/api/v1/me" "$tmp/lotse.log"
  token_json=$(curl -s -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"$USERNAME\",\"password\":\"$PASSWORD\"}" "$base/api/v1/tokens")
  token=$(printf '%s' "$token_json" | sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
  [[ -n "$token" ]] || die "no token from POST /api/v1/tokens: $token_json"
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/v1/me")
  [[ "$status" == 200 ]] || die "GET /api/v1/me with the token answered $status, expected 200"
  cpu_pid=${pids[-1]}
  run_wrk lotse "$base/api/v1/me" -H "Authorization: Bearer $token"
  lotse_rps=$rps
  lotse_p99=$p99
  echo "bench: lotse        GET /api/v1/me   ${lotse_rps} req/s, p99 ${lotse_p99} ms"
fi

# --- report -------------------------------------------------------------------
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
report=$(
  echo "# Benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "commit ${commit}; $(nproc) CPUs; $(uname -sr)"
  echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency (after a $WARMUP warm-up);" \
    "servers with $SERVER_THREADS threads, 127.0.0.1"
  echo
  echo "| server | request | requests/s | p99 latency (ms) |"
  echo "|---|---|---:|---:|"
  echo "| hello_world (bare Beast) | GET / | $hello_rps | $hello_p99 |"
  if ((!hello_only)); then
    echo "| lotse serve (SQLite) | GET /api/v1/me (Bearer) | $lotse_rps | $lotse_p99 |"
    echo
    awk -v l="$lotse_rps" -v h="$hello_rps" -v lp="$lotse_p99" -v hp="$hello_p99" 'BEGIN {
      printf "lotse reaches %.1f %% of the baseline throughput; p99 is %.2fx the baseline.\n",
        100 * l / h, (hp > 0 ? lp / hp : 0)
    }'
  fi
)
echo
echo "$report"
mkdir -p bench/results
echo "$report" >bench/results/latest.md
echo
echo "bench: written to bench/results/latest.md"
