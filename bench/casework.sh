#!/usr/bin/env bash
# Case work at scale: the case page, the inbox and the person search of
# `lotse serve` on a database with N synthetic persons (`lotse demo
# --persons N`), measured with wrk at 32 connections as the demo case worker
# of Jobcenter Magdeburg (15003-jc), next to a bare Boost.Beast hello world
# in the same run. Prints a markdown table (req/s, p50, p99, ratio to the
# baseline), the data size and the server's resident memory, and writes it
# to bench/results/casework.md.
#
#   bash bench/casework.sh                         # N=1000000: generates the database first
#   PERSONS=20000 bash bench/casework.sh           # smaller
#   DB=/tmp/m.db bash bench/casework.sh            # reuse a generated SQLite file
#                                                  # (made with --persons; its size is read;
#                                                  # measured on a copy, the file stays as it is)
#   PG_URL=postgresql://postgres@127.0.0.1:5432/lotse bash bench/casework.sh
#                                                  # the same on PostgreSQL: a database made with
#                                                  # `lotse demo --persons N`, measured on a copy
#                                                  # (CREATE DATABASE ... TEMPLATE), dropped at the end
#
# Knobs (environment): BUILD_DIR=build PERSONS=1000000 SEED=1 DB= PG_URL= DURATION=20s
# CONNECTIONS=32 WRK_THREADS=2 SERVER_THREADS=2 WARMUP=3s SEARCH_LIMIT=20
# THINK_MS=100 (a second table: the same connections, each pausing a random
# think time of that mean between requests; 0 leaves the table out)
# FLOOR=1 (a third table: for each row with a target, the p99 of hello_world
# spending that row's CPU time per request, this machine's floor; 0 leaves it out)
# KEEP_DB=0 (keep a generated database in bench/results/ for the next run)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
PERSONS=${PERSONS:-1000000}
SEED=${SEED:-1}
DB=${DB:-}
PG_URL=${PG_URL:-}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-2}
WARMUP=${WARMUP:-3s}
SEARCH_LIMIT=${SEARCH_LIMIT:-20}
THINK_MS=${THINK_MS:-100}
FLOOR=${FLOOR:-1}
KEEP_DB=${KEEP_DB:-0}
LOTSE=${LOTSE:-$BUILD_DIR/lotse}
HELLO="$BUILD_DIR/bench/hello_world"
USERNAME=15003-jc
PASSWORD=demo

# die, $tmp with its exit trap, free_port, wait_ready, start_hello, measure_hello_work,
# run_wrk.
source bench/lib.sh
command -v wrk >/dev/null || die "wrk not found (make deps installs it)"
command -v curl >/dev/null || die "curl not found (make deps installs it)"
[[ -x "$HELLO" ]] || die "$HELLO not found - run 'make build' first"
[[ -x "$LOTSE" ]] || die "$LOTSE not found - run 'make build' first"

# --- the database ----------------------------------------------------------
if [[ -n "$PG_URL" ]]; then
  # An existing PostgreSQL database, measured on a copy: every audited read
  # adds to it. The copy needs no other session on the original.
  command -v psql >/dev/null || die "psql not found (make deps installs it)"
  pg_name=${PG_URL##*/}
  pg_name=${pg_name%%\?*}
  pg_server=${PG_URL%/*}
  [[ -n "$pg_name" && "$pg_server" == postgres*://* ]] || die "PG_URL must look like postgresql://USER@HOST:PORT/DB"
  pg_copy="${pg_name}_bench_$$"
  psql "$pg_server/postgres" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$pg_copy\" TEMPLATE \"$pg_name\"" \
    || die "could not copy database $pg_name (is another session connected to it?)"
  after_stop+=("psql '$pg_server/postgres' -qc 'DROP DATABASE IF EXISTS \"$pg_copy\"'")
  database="$pg_server/$pg_copy"
  sql() { psql "$database" -Atqc "$1"; }
  store="PostgreSQL database $(sql "SELECT pg_size_pretty(pg_database_size(current_database()))")"
else
  if [[ -z "$DB" ]]; then
    DB="$tmp/casework.db"
    ((KEEP_DB)) && DB="bench/results/casework-$PERSONS-$SEED.db" && mkdir -p bench/results
    if [[ ! -f "$DB" ]]; then
      echo "bench: generating $PERSONS persons (seed $SEED) into $DB ..."
      start=$(date +%s)
      "$LOTSE" demo --database "sqlite:$DB" --persons "$PERSONS" --seed "$SEED" >"$tmp/demo.log" \
        || { cat "$tmp/demo.log" >&2; die "lotse demo failed"; }
      echo "bench: generated in $(($(date +%s) - start)) s: $(tail -1 "$tmp/demo.log")"
    fi
  fi
  [[ -f "$DB" ]] || die "no database file $DB"
  # The server audits every read it answers (~100,000 entries a benchmark
  # minute), so a database measured on grows and later runs would measure a
  # different one. A kept or given file stays as it was: the run works on a
  # copy of it (a generated temporary file is used as it is).
  if [[ "$DB" != "$tmp/"* ]]; then
    # With its read log (PATH-reads) and any WAL not yet copied back.
    for suffix in "" -wal -reads -reads-wal; do
      [[ -f "$DB$suffix" ]] && cp "$DB$suffix" "$tmp/measured.db$suffix"
    done
    DB="$tmp/measured.db"
    # The copy is a gigabyte of dirty pages at this size: written back while
    # the first rows are measured, it stalled their requests (p99 of the
    # case page 225-285 ms). Written before the servers start, with every
    # other file's: the given file, copied just before the run, stalled the
    # first row the same way (p99 97 and 786 ms instead of 16).
    sync
  fi
  sql() { sqlite3 -readonly "$DB" "$1"; }
  store="SQLite file $(du -h "$DB" | cut -f1)"
  database="sqlite:$DB"
fi
if [[ -n "$PG_URL" ]] || command -v sqlite3 >/dev/null; then
  persons=$(sql "SELECT COUNT(*) FROM persons")
  cases=$(sql "SELECT COUNT(*) FROM cases")
  own=$(sql "SELECT COUNT(*) FROM cases WHERE owner_agency = '$USERNAME'")
  shared=$(sql "SELECT COUNT(*) FROM case_shares WHERE agency_key = '$USERNAME'")
  handovers=$(sql "SELECT COUNT(*) FROM handovers WHERE from_agency = '$USERNAME' OR to_agency = '$USERNAME'")
  datasize="$persons persons, $cases cases ($own own and $shared shared with $USERNAME, $handovers handovers to or from it); $store"
else
  datasize="$store (sqlite3 CLI missing: no counts)"
fi
echo "bench: data: $datasize"

# --- servers -----------------------------------------------------------------
start_hello

lotse_port=$(free_port)
"$LOTSE" serve --database "$database" --port "$lotse_port" --threads "$SERVER_THREADS" \
  --no-access-log >"$tmp/lotse.log" 2>&1 &
lotse_pid=$!
pids+=($lotse_pid)
base="http://127.0.0.1:$lotse_port"
wait_ready lotse "$lotse_pid" "$base/healthz" "$tmp/lotse.log"

# A session cookie (sign-in form with its CSRF double submit) and a token.
jar="$tmp/cookies"
form=$(curl -s -c "$jar" "$base/anmelden")
csrf=$(printf '%s' "$form" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
[[ -n "$csrf" ]] || die "no csrf_token in the sign-in form"
curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "username=$USERNAME" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "csrf_token=$csrf" "$base/anmelden"
session=$(awk '$6 == "lotse_session" {print $7}' "$jar")
[[ -n "$session" ]] || die "sign-in as $USERNAME gave no session cookie"
cookie="Cookie: lotse_session=$session"
token=$(curl -s -X POST -H 'Content-Type: application/json' \
  -d "{\"username\":\"$USERNAME\",\"password\":\"$PASSWORD\"}" "$base/api/v1/tokens" |
  sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
[[ -n "$token" ]] || die "no API token for $USERNAME"
bearer="Authorization: Bearer $token"

# Case ids the user may see: from its own case list (the gate decides).
: >"$tmp/ids"
for offset in 0 200 400 600 800; do
  curl -s -H "$bearer" "$base/api/v1/cases?limit=200&offset=$offset" |
    grep -o '"id":[0-9]*,"owner_agency"' | cut -d: -f2 | cut -d, -f1 >>"$tmp/ids" || true
done
sort -u "$tmp/ids" -o "$tmp/ids"
[[ -s "$tmp/ids" ]] || die "15003-jc sees no cases: was the database made with --persons?"
sed 's|^|/faelle/|' "$tmp/ids" >"$tmp/case_pages"
sed 's|^|/api/v1/cases/|' "$tmp/ids" >"$tmp/case_api"
echo "/faelle" >"$tmp/inbox"
echo "/faelle/liste" >"$tmp/case_list"
# Every page of both boxes of the Posteingang, whole and filtered to the open
# and the overdue handovers: as many as the server counts for each (the API's
# "listed", the count the page's pager uses).
listed() {
  curl -s -H "$bearer" "$base/api/v1/handovers?box=$1&filter=$2&limit=1" |
    grep -o '"listed":[0-9]*' | cut -d: -f2
}
: >"$tmp/inbox_pages"
for box in in out; do
  param=eingang
  [[ $box == out ]] && param=ausgang
  for filter in all:"" open:offen overdue:ueberfaellig; do
    n=$(listed "$box" "${filter%%:*}")
    [[ -n "$n" ]] || die "no handover count for box=$box filter=${filter%%:*}"
    value=${filter#*:}
    for ((page = 1; page <= (n + 24) / 25; page++)); do
      echo "/faelle?${value:+${param}_filter=$value&}$param=$page" >>"$tmp/inbox_pages"
    done
  done
done
echo "/api/v1/handovers?box=in" >"$tmp/handovers_in"
echo "/" >"$tmp/hello"

# Search terms as case workers type them: whole names, parts, typos, a birth date.
terms=("Müller" "schmidt" "Schmitt" "Mueler" "lena schulz" "Meyer" "Schneider Lukas"
  "Fischer" "Wagner" "Bekcer" "Hoffmann" "Koch Emma" "schul" "Zimmermann" "Krüger"
  "Hartmann Paul" "Schwarz" "Lehmann" "Wolff" "Richter Marie" "Neumann" "Schröder"
  "Braun" "Weber Mia" "Schäfer" "Jung" "Hahn" "Vogel" "Friedrich" "Keller")
birth=$(sql "SELECT birth_date FROM persons WHERE owner_agency = '$USERNAME' LIMIT 1" 2>/dev/null || true)
[[ -n "$birth" ]] && terms+=("$birth")
# Percent-encodes UTF-8 byte by byte.
enc() {
  local LC_ALL=C s=$1 out="q=" c h i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [a-zA-Z0-9.~_-]) out+=$c ;;
      *) printf -v h '%%%02X' "'$c"; out+=$h ;;
    esac
  done
  printf '%s' "$out"
}
: >"$tmp/search_api"
: >"$tmp/search_page"
for t in "${terms[@]}"; do
  q=$(enc "$t")
  echo "/api/v1/cases?$q&limit=$SEARCH_LIMIT" >>"$tmp/search_api"
  echo "/faelle/suche?$q" >>"$tmp/search_page"
done

# --- measuring -----------------------------------------------------------------
rss_max=0
hwm=0
sample_rss() {
  local r
  r=$(awk '/^VmRSS/ {print $2}' "/proc/$lotse_pid/status" 2>/dev/null || echo 0)
  ((r > rss_max)) && rss_max=$r
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$lotse_pid/status" 2>/dev/null || echo 0)
}

cpu_pid=$lotse_pid

# Bytes per answer (headers included) from wrk's "N requests in T, X read".
answer_bytes() {
  awk '/requests in/ {
    n = $1; v = $(NF - 1); u = v; sub(/^[0-9.]+/, "", u); v += 0
    m = (u == "KB") ? 1024 : (u == "MB") ? 1048576 : (u == "GB") ? 1073741824 : 1
    printf "%d", (n > 0 ? v * m / n : 0) }' "$1"
}

rows=()
floor_rows_in=()  # label|server CPU ms|p99|target|bytes per answer, of rows with a target
hello_rps=0
hello_p99=0
hello_cpu_ms=0
think=0  # the think time of the runs measure() makes (ms, 0: none)
during=sample_rss  # run_wrk samples the server's memory while it measures
measure() {  # name, url base, paths file ("" for a plain URL), auth header, label, target
  local name=$1 url=$2 paths=$3 auth=$4 args=()
  [[ -n "$paths" ]] && args=(-s bench/casework.lua)
  PATHS_FILE=$paths AUTH_HEADER=$auth THINK_MS=$think run_wrk "$name-$think" "$url" "${args[@]}"
  if [[ $name == hello ]]; then
    hello_rps=$rps
    hello_p99=$p99
    ((think > 0)) || hello_cpu_ms=$cpu_ms  # the floor table's "its own at no work"
  fi
  # The hello_world row shows hello_world's own CPU time (cpu_pid).
  rows+=("$(awk -v n="$5" -v r="$rps" -v a="$p50" -v b="$p99" -v hr="$hello_rps" -v hp="$hello_p99" \
    -v t="$6" -v c="$cpu_ms" 'BEGIN {
      printf "| %s | %.0f | %.2f | %.2f | %.1f %% | %.1fx | %s | %s |", n, r, a, b,
        (hr > 0 ? 100 * r / hr : 0), (hp > 0 ? b / hp : 0), c, t }')")
  # A saturated row with a target gets its floor measured (below).
  if ((think == 0)) && [[ $6 != "–" ]]; then
    floor_rows_in+=("$5|$cpu_ms|$p99|$6|$(answer_bytes "$tmp/wrk-$name-$think.txt")")
  fi
  local paced=""
  ((think > 0)) && paced=" (think time $think ms)"
  echo "bench: $name$paced: $rps req/s, p50 $p50 ms, p99 $p99 ms, server CPU $cpu_ms ms/request"
}

echo "bench: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency, servers with $SERVER_THREADS threads"
sample_rss
rss_start=$rss_max
cpu_pid=$hello_pid
measure hello "http://127.0.0.1:$hello_port/" "" "" "hello_world GET / (baseline)" "–"
cpu_pid=$lotse_pid
measure case_page "$base" "$tmp/case_pages" "$cookie" \
  "case page GET /faelle/{id} ($(wc -l <"$tmp/ids") ids)" "≤ 10"
measure inbox "$base" "$tmp/inbox" "$cookie" "inbox GET /faelle" "≤ 10"
measure inbox_pages "$base" "$tmp/inbox_pages" "$cookie" \
  "inbox pages GET /faelle?eingang=… (all $(wc -l <"$tmp/inbox_pages") pages of both boxes, whole, open, overdue)" "–"
measure case_list "$base" "$tmp/case_list" "$cookie" "case list GET /faelle/liste (own + shared, 25 each)" "–"
measure search_api "$base" "$tmp/search_api" "$bearer" \
  "search GET /api/v1/cases?q=…&limit=$SEARCH_LIMIT (${#terms[@]} terms)" "≤ 20"
measure search_page "$base" "$tmp/search_page" "$cookie" "Personensuche GET /faelle/suche?q=… (up to 20 results)" "≤ 20"
measure case_api "$base" "$tmp/case_api" "$bearer" "case GET /api/v1/cases/{id}" "≤ 10"
measure handovers_api "$base" "$tmp/handovers_in" "$bearer" "incoming handovers GET /api/v1/handovers?box=in" "≤ 10"
saturated_rows=("${rows[@]}")

# The same connections at a load below saturation: each waits a random think
# time between its requests, so the latency is the server's, not the queue's
# of 32 connections that never pause (at saturation p50 ≈ 32 / req/s).
rows=()
if ((THINK_MS > 0)); then
  think=$THINK_MS
  echo "bench: paced: each connection waits a random think time (exponential, mean $think ms)"
  cpu_pid=$hello_pid
  measure hello "http://127.0.0.1:$hello_port" "$tmp/hello" "" "hello_world GET / (baseline)" "–"
  cpu_pid=$lotse_pid
  measure case_page "$base" "$tmp/case_pages" "$cookie" "case page GET /faelle/{id}" "≤ 10"
  measure inbox "$base" "$tmp/inbox" "$cookie" "inbox GET /faelle" "≤ 10"
  measure search_page "$base" "$tmp/search_page" "$cookie" "Personensuche GET /faelle/suche?q=…" "≤ 20"
fi
paced_rows=("${rows[@]}")
sample_rss

# This machine's floor for each row with a target: hello_world spending the
# row's server CPU time per request (less its own at no work, the baseline
# row's) and answering as many bytes, driven the same way (bench/capacity.sh).
# Its p99 is what a server of that cost gets here without locks or I/O: a
# target below it is out of reach on this machine by shorter waits, only a
# cheaper request meets it.
floor_rows=()
if ((FLOOR)); then
  echo "bench: floor: hello_world spending each row's CPU time (less its own $hello_cpu_ms ms)"
  for row in "${floor_rows_in[@]}"; do
    IFS='|' read -r label row_cpu row_p99 target bytes <<<"$row"
    work=$(awk -v c="$row_cpu" -v h="$hello_cpu_ms" 'BEGIN { w = (c - h) * 1000; printf "%d", (w > 0 ? w + 0.5 : 0) }')
    measure_hello_work "floor-$work" "$work" "$bytes"
    floor_rows+=("$(awk -v n="$label" -v c="$row_cpu" -v w="$work" -v b="$bytes" -v f="$p99" \
      -v fc="$cpu_ms" -v m="$row_p99" -v t="$target" 'BEGIN {
        limit = t; sub(/^[^0-9]*/, "", limit); limit += 0
        verdict = (m <= limit) ? "met" : (f <= limit) ? "within reach: the cost fits, the waits do not" \
          : "out of reach: the cost alone exceeds it"
        printf "| %s | %s | %d | %d | %s | %.2f | %.2f | %s | %s |", n, c, w, b, fc, f, m, t, verdict }')")
    echo "bench: floor for $label: work $work us, $bytes bytes: p99 $p99 ms (measured $row_p99 ms, target $target)"
  done
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
report=$(
  echo "# Case work at scale $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "commit ${commit}; $(nproc) CPUs; $(uname -sr)"
  echo "data: $datasize"
  echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency (after a $WARMUP warm-up);" \
    "servers with $SERVER_THREADS threads on 127.0.0.1; user $USERNAME"
  echo
  echo "| request | req/s | p50 (ms) | p99 (ms) | req/s vs hello | p99 vs hello | server CPU ms/request | target p99 (ms) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${saturated_rows[@]}"
  echo
  if ((${#paced_rows[@]})); then
    echo "Paced: the same $CONNECTIONS connections, each waiting a random think time (exponential," \
      "mean $THINK_MS ms) before its next request; the latency at that load, not at saturation."
    echo
    echo "| request | req/s | p50 (ms) | p99 (ms) | req/s vs hello | p99 vs hello | server CPU ms/request | target p99 (ms) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${paced_rows[@]}"
    echo
  fi
  if ((${#floor_rows[@]})); then
    echo "Floor: hello_world spending each targeted row's server CPU time per request (less its own" \
      "at no work) and answering as many bytes, wrk as above: the p99 a server of that cost gets on" \
      "this machine without locks or I/O (bench/capacity.sh)."
    echo
    echo "| request | server CPU ms/request | work (µs) | bytes per answer | hello_world CPU ms/request | floor p99 (ms) | measured p99 (ms) | target p99 (ms) | on this machine |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    printf '%s\n' "${floor_rows[@]}"
    echo
  fi
  echo "machine load (1/5/15 min) at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "lotse serve resident memory: VmRSS at start $((rss_start / 1024)) MB," \
    "highest sampled $((rss_max / 1024)) MB, VmHWM $((hwm / 1024)) MB (target ≤ 300 MB)"
)
echo
echo "$report"
mkdir -p bench/results
echo "$report" >bench/results/casework.md
echo
echo "bench: written to bench/results/casework.md"
