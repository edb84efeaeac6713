# Shared by the bench scripts (run.sh, casework.sh, portal.sh), sourced from
# the repository root: a scratch directory whose servers are stopped on exit,
# a free port, waiting for a server, and wrk's latencies in milliseconds.
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

# wrk prints latencies as 812.00us, 1.23ms or 1.01s; normalise to ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000;
    else if (v ~ /s$/) n *= 1000
    printf "%.2f", n
  }'
}
