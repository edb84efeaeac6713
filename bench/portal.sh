#!/usr/bin/env bash
# The youth portal as young people use it, without an account: the alliance
# start page and the "Was brauchst du?" result page (offers for a need plus
# the nearest contact points to postcode 39104 with today's opening hours),
# measured with wrk on a fresh demo database, next to a bare Boost.Beast hello
# world in the same run. Prints a markdown table (req/s, p50, p99, ratios to
# the baseline, server CPU per request) and writes it to
# bench/results/portal.md.
#
#   bash bench/portal.sh                  # after `make build` (or: make bench-portal)
#   DURATION=5s bash bench/portal.sh      # a quick check that it works
#
# Knobs (environment): BUILD_DIR=build LOTSE=$BUILD_DIR/lotse DURATION=20s
# CONNECTIONS=64 WRK_THREADS=2 SERVER_THREADS=2 WARMUP=3s SLUG=magdeburg
# POSTCODE=39104 NEED=applications
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
LOTSE=${LOTSE:-$BUILD_DIR/lotse}
HELLO="$BUILD_DIR/bench/hello_world"
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-2}
WARMUP=${WARMUP:-3s}
SLUG=${SLUG:-magdeburg}
POSTCODE=${POSTCODE:-39104}
NEED=${NEED:-applications}

# die, $tmp with its exit trap, free_port, wait_ready, start_hello, run_wrk.
source bench/lib.sh
command -v wrk >/dev/null || die "wrk not found (make deps installs it)"
command -v curl >/dev/null || die "curl not found (make deps installs it)"
[[ -x "$HELLO" ]] || die "$HELLO not found - run 'make build' first"
[[ -x "$LOTSE" ]] || die "$LOTSE not found - run 'make build' first"

# --- a fresh demo database (alliances, agencies, the offer catalogue) ---------
db="sqlite:$tmp/portal.db"
"$LOTSE" migrate --database "$db" >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; die "lotse migrate failed"; }
"$LOTSE" demo --database "$db" >"$tmp/demo.log" 2>&1 || { cat "$tmp/demo.log" >&2; die "lotse demo failed"; }

# --- servers -------------------------------------------------------------------
start_hello

lotse_port=$(free_port)
"$LOTSE" serve --database "$db" --port "$lotse_port" --threads "$SERVER_THREADS" \
  --no-access-log >"$tmp/lotse.log" 2>&1 &
lotse_pid=$!
pids+=($lotse_pid)
base="http://127.0.0.1:$lotse_port"
wait_ready lotse "$lotse_pid" "$base/healthz" "$tmp/lotse.log"

start_path="/$SLUG"
search_path="/$SLUG/thema/$NEED?ort=$POSTCODE"
# Refuse to measure pages that do not show what they should: an error page
# is cheap and would flatter the figures.
start_html=$(curl -s -w '\n%{http_code}' "$base$start_path")
[[ ${start_html##*$'\n'} == 200 ]] || die "GET $start_path answered ${start_html##*$'\n'}"
grep -q 'Was brauchst du' <<<"$start_html" || die "GET $start_path shows no \"Was brauchst du?\""
search_html=$(curl -s -w '\n%{http_code}' "$base$search_path")
[[ ${search_html##*$'\n'} == 200 ]] || die "GET $search_path answered ${search_html##*$'\n'}"
grep -q "$POSTCODE" <<<"$search_html" || die "GET $search_path does not mention $POSTCODE"

# --- measuring -------------------------------------------------------------------
cpu_pid=$lotse_pid

rows=()
hello_rps=0
hello_p50=0
hello_p99=0
measure() {  # name, URL, label
  local name=$1 url=$2 label=$3
  run_wrk "$name" "$url"
  if [[ $name == hello ]]; then
    hello_rps=$rps
    hello_p50=$p50
    hello_p99=$p99
  fi
  rows+=("$(awk -v l="$label" -v r="$rps" -v a="$p50" -v b="$p99" -v hr="$hello_rps" \
    -v ha="$hello_p50" -v hb="$hello_p99" -v c="$cpu_ms" 'BEGIN {
      printf "| %s | %.0f | %.2f | %.2f | %.1f %% | %.1fx | %.1fx | %s |", l, r, a, b,
        (hr > 0 ? 100 * r / hr : 0), (ha > 0 ? a / ha : 0), (hb > 0 ? b / hb : 0), c }')")
  echo "bench: $name: $rps req/s, p50 $p50 ms, p99 $p99 ms, server CPU $cpu_ms ms/request"
}

echo "bench: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency, servers with $SERVER_THREADS threads"
cpu_pid=$hello_pid
measure hello "http://127.0.0.1:$hello_port/" "hello_world GET / (baseline)"
cpu_pid=$lotse_pid
measure start "$base$start_path" "start page GET $start_path"
measure search "$base$search_path" "\"Was brauchst du?\" GET $search_path"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
report=$(
  echo "# Youth portal $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "commit ${commit}; $(nproc) CPUs; $(uname -sr); fresh demo database (SQLite)"
  echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency (after a $WARMUP warm-up);" \
    "servers with $SERVER_THREADS threads on 127.0.0.1; no account, no cookies"
  echo
  echo "| request | req/s | p50 (ms) | p99 (ms) | req/s vs hello | p50 vs hello | p99 vs hello | server CPU ms/request |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "machine load (1/5/15 min) at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
)
echo
echo "$report"
mkdir -p bench/results
echo "$report" >bench/results/portal.md
echo
echo "bench: written to bench/results/portal.md"
