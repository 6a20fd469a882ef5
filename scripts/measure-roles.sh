#!/usr/bin/env bash
# Resident memory and CPU of each process role, for the Kubernetes resource requests and limits
# (deploy/kubernetes) and docs/capacity.md. Starts, on ports of its own and in a temporary data
# folder: `atelier worker` (which owns the embedded PostgreSQL), then `atelier api`; reads RSS and
# CPU time from /proc once both are ready, sends N sequential catalog requests (a light load, not a
# benchmark), reads them again with the CPU each spent on them, and stops both with SIGTERM. It
# exits 1, saying why, when a role never gets ready or a request is not answered 200.
# Usage: scripts/measure-roles.sh [N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N=${1:-2000}
dir=$(mktemp -d)
trap 'kill -TERM ${api:-} ${worker:-} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
export ATELIER_DATA_DIR=$dir DEMO_SEED=false EMBEDDED_PG_PORT=${EMBEDDED_PG_PORT:-54391} LOG_LEVEL=warn
export RATE_LIMIT_ENABLED=false SHED_ENABLED=false PAYMENT_PROVIDER_URL=http://127.0.0.1:9 COOKIE_SECURE=false
api_port=${API_PORT:-3491}
fail() {
  echo "measure-roles: $*" >&2
  exit 1
}
# $1 role, $2 pid, $3 URL: waits up to 120 s for a 200; fails when the process exits or time is up,
# so no figure is ever printed for a role that did not start.
wait_ready() {
  for _ in $(seq 120); do
    curl -fs "$3" >/dev/null && return 0
    kill -0 "$2" 2>/dev/null || fail "$1 (pid $2) exited before $3 answered 200"
    sleep 1
  done
  fail "$1 did not answer 200 on $3 within 120 s"
}
METRICS_PORT=9491 node bin/atelier.js worker &
worker=$!
wait_ready worker "$worker" http://127.0.0.1:9491/metrics
PORT=$api_port METRICS_PORT=9492 node bin/atelier.js api &
api=$!
wait_ready api "$api" "http://127.0.0.1:$api_port/ready"
sleep 5
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime+stime of the process itself
show() { # $1 label, $2 pid, $3 when: RSS (VmRSS) and CPU seconds so far
  local rss cpu
  rss=$(awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$2/status")
  cpu=$(awk -v c="$(cpu_ticks "$2")" -v t="$ticks" 'BEGIN {printf "%.2f", c/t}')
  printf '%-8s %-22s RSS %4s MiB  CPU %6s s\n' "$1" "$3" "$rss" "$cpu"
}
show api "$api" 'ready, idle'
show worker "$worker" 'ready, idle'
api_before=$(cpu_ticks "$api")
worker_before=$(cpu_ticks "$worker")
start=$(date +%s.%N)
# One status code a line; a refused connection is 000 (curl's exit status is not trusted: with
# many URLs it reports only the last transfer).
codes=$(
  for i in $(seq "$N"); do printf 'url = "http://127.0.0.1:%s/api/v1/products?limit=%s"\noutput = "/dev/null"\n' "$api_port" $((i % 50 + 1)); done |
    curl -s -w '%{http_code}\n' -K - || true
)
end=$(date +%s.%N)
api_after=$(cpu_ticks "$api")
worker_after=$(cpu_ticks "$worker")
show api "$api" "after $N requests"
show worker "$worker" "after $N requests"
awk -v s="$start" -v e="$end" -v n="$N" 'BEGIN {printf "%d requests in %.1f s (one at a time, curl on the same cores)\n", n, e - s}'
awk -v b="$api_before" -v a="$api_after" -v wb="$worker_before" -v wa="$worker_after" -v t="$ticks" -v n="$N" 'BEGIN {
  printf "CPU for the %d requests: api %.2f s (%.2f ms a request), worker %.2f s\n", n, (a - b) / t, (a - b) / t * 1000 / n, (wa - wb) / t
}'
answered=$(grep -c '^200$' <<<"$codes" || true)
[[ $answered == "$N" ]] || fail "$answered of $N requests answered 200 (others: $(grep -v '^200$' <<<"$codes" | sort | uniq -c | awk '{printf "%s%s x %s", sep, $1, $2; sep = ", "}'))"
