# Shared by the bench scripts (run.sh, casework.sh, portal.sh, capacity.sh),
# sourced from the repository root: a scratch directory whose servers are
# stopped on exit, a free port, waiting for a server, the hello_world
# baseline (start_hello, measure_hello_work), wrk's latencies in
# milliseconds, and one measured wrk run (run_wrk).
# Sourcing creates $tmp and the pids array and installs the exit trap.

die() { echo "bench: $*" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()        # servers started by the script, stopped on exit
after_stop=()  # commands run on exit once the servers have stopped
cleanup() {
  local pid cmd
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for cmd in "${after_stop[@]}"; do eval "$cmd" || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on (bash's /dev/tcp connect fails on a free port),
# below the ephemeral range: wrk's own client sockets occupy ports there.
free_port() {
  local port low=32768
  if [[ -r /proc/sys/net/ipv4/ip_local_port_range ]]; then
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  fi
  ((low > 11000)) || die "ephemeral port range starts at $low; cannot pick a port below it"
  for _ in $(seq 1 50); do
    port=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

# Waits until the server answers HTTP at all (any status), or fails with its
# log. A server opening a large database may take a while: 60 s at most.
wait_ready() {
  local name=$1 pid=$2 url=$3 log=$4
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "$name exited during start-up (log above)"; }
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$url" || true) != 000 ]] && return 0
    sleep 0.1
  done
  cat "$log" >&2
  die "$name did not answer on $url within 60 s"
}

# Starts the baseline, $HELLO (build/bench/hello_world), with $SERVER_THREADS
# threads and any further arguments on a free port, and waits until it
# answers. Sets hello_port and hello_pid (also in pids: stopped on exit).
start_hello() {
  hello_port=$(free_port)
  local log="$tmp/hello-$hello_port.log"
  "$HELLO" --port "$hello_port" --threads "$SERVER_THREADS" "$@" >"$log" 2>&1 &
  hello_pid=$!
  pids+=("$hello_pid")
  wait_ready hello_world "$hello_pid" "http://127.0.0.1:$hello_port/" "$log"
}

# One measured run (run_wrk, as NAME) of hello_world spending WORK µs of CPU
# on each request and answering BYTES bytes, stopped afterwards: what a
# request of that cost gets on this machine without locks or I/O
# (capacity.sh's rows, casework.sh's floor table). Leaves run_wrk's globals.
measure_hello_work() {  # name, work (µs), body bytes
  start_hello --work-us "$2" --body-bytes "$3"
  cpu_pid=$hello_pid
  run_wrk "$1" "http://127.0.0.1:$hello_port/"
  kill "$hello_pid"
  wait "$hello_pid" 2>/dev/null || true
}

# wrk prints latencies as 812.00us, 1.23ms or 1.01s; normalise to ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000;
    else if (v ~ /s$/) n *= 1000
    printf "%.2f", n
  }'
}

# The CPU time (user + system, clock ticks) process $cpu_pid has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$cpu_pid/stat" 2>/dev/null || echo 0; }

# One measurement: wrk against a URL for $WARMUP, then for $DURATION with
# --latency (-t$WRK_THREADS -c$CONNECTIONS; extra wrk arguments go before the
# URL). Any answer other than 2xx/3xx fails the script: an error page is cheap
# and the figures would be meaningless. Leaves in globals: rps, requests, p50
# and p99 (ms), and cpu_ms, the CPU time process $cpu_pid spent per request
# meanwhile (unlike latency it hardly depends on what else runs on the
# machine; wrk shares its CPUs). `during`, if set, names a command run about
# every half second while wrk runs. wrk's own output is "$tmp/wrk-NAME.txt".
run_wrk() {  # name, url, wrk arguments...
  local name=$1 url=$2 out="$tmp/wrk-$1.txt"
  shift 2
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" "$url" >/dev/null
  local before after wrk_pid
  before=$(cpu_ticks)
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$out" &
  wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    [[ -n ${during:-} ]] && "$during"
    sleep 0.5
  done
  wait "$wrk_pid" || { cat "$out" >&2; die "wrk failed for $name"; }
  after=$(cpu_ticks)
  if grep -q "Non-2xx or 3xx responses" "$out"; then
    cat "$out" >&2
    die "$name answered errors during the run; the figures would be meaningless"
  fi
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  requests=$(awk '/requests in/ {print $1}' "$out")
  [[ -n "$rps" && -n "$requests" ]] || { cat "$out" >&2; die "could not parse wrk output for $name"; }
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  cpu_ms=$(awk -v a="$before" -v b="$after" -v n="$requests" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.3f", (n > 0 ? (b - a) * 1000 / hz / n : 0) }')
}
