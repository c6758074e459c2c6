#!/usr/bin/env bash
# Load benchmark of the reference provisioning server: N simulated agents
# with realistic 30-50 KB inventories against a real `hwagent serve`, on
# SQLite and on PostgreSQL (a cluster initialised in a temporary directory;
# needs Debian's postgresql, and runs it as the postgres user when root).
#
#   bench/load.sh [agents] [check-in phase duration]     (default 10000 90s)
#
# Per store it prints: time until all N registrations of one burst were
# acknowledged, check-in latency (p50/p99/max) with every agent checking in
# every 30 s, refused (429) requests and the server's peak RSS (VmHWM).
# Results also land in bench/load/results-<store>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
agents=${1:-10000}
duration=${2:-90s}
stores=${STORES:-sqlite postgres}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Every simulated agent keeps its own connection, as real agents do: two
# file descriptors per agent across the benchmark and the server.
ulimit -n "$(ulimit -Hn)"
CGO_ENABLED=0 go build -trimpath -o "$out/hwagent" ./cmd/hwagent
go build -o "$out/load" ./bench/load
echo "$(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
for store in $stores; do
	"$out/load" -bin "$out/hwagent" -store "$store" -agents "$agents" -duration "$duration" \
		-json "bench/load/results-$store.json"
	echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
