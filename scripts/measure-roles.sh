#!/usr/bin/env bash
# Resident memory and CPU of each process role, for the Kubernetes resource requests and limits
# (deploy/kubernetes) and docs/capacity.md. Starts, on ports of its own and in a temporary data
# folder: `atelier worker` (which owns the embedded PostgreSQL), then `atelier api`; reads RSS and
# CPU time from /proc once both are ready, sends N sequential catalog requests (a light load, not a
# benchmark), reads them again, and stops both with SIGTERM. Usage: scripts/measure-roles.sh [N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N=${1:-2000}
dir=$(mktemp -d)
trap 'kill -TERM ${api:-} ${worker:-} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
export ATELIER_DATA_DIR=$dir DEMO_SEED=false EMBEDDED_PG_PORT=${EMBEDDED_PG_PORT:-54391} LOG_LEVEL=warn
export RATE_LIMIT_ENABLED=false SHED_ENABLED=false PAYMENT_PROVIDER_URL=http://127.0.0.1:9 COOKIE_SECURE=false
api_port=${API_PORT:-3491}
METRICS_PORT=9491 node bin/atelier.js worker &
worker=$!
for _ in $(seq 120); do curl -fs http://127.0.0.1:9491/metrics >/dev/null && break; sleep 1; done
PORT=$api_port METRICS_PORT=9492 node bin/atelier.js api &
api=$!
for _ in $(seq 120); do curl -fs "http://127.0.0.1:$api_port/ready" >/dev/null && break; sleep 1; done
sleep 5
ticks=$(getconf CLK_TCK)
show() { # $1 label, $2 pid: RSS (VmRSS) and CPU seconds (utime+stime) of the process itself
  local rss cpu
  rss=$(awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$2/status")
  cpu=$(awk -v t="$ticks" '{printf "%.2f", ($14+$15)/t}' "/proc/$2/stat")
  printf '%-8s %-22s RSS %4s MiB  CPU %6s s\n' "$1" "$3" "$rss" "$cpu"
}
show api "$api" 'ready, idle'
show worker "$worker" 'ready, idle'
start=$(date +%s.%N)
for i in $(seq "$N"); do printf 'url = "http://127.0.0.1:%s/api/v1/products?limit=%s"\noutput = "/dev/null"\n' "$api_port" $((i % 50 + 1)); done |
  curl -s -K -
end=$(date +%s.%N)
show api "$api" "after $N requests"
show worker "$worker" "after $N requests"
awk -v s="$start" -v e="$end" -v n="$N" 'BEGIN {printf "%d requests in %.1f s (one at a time, curl on the same cores)\n", n, e - s}'
