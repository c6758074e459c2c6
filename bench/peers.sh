#!/usr/bin/env bash
# Compares hwagent's full dump with lshw, facter, hwinfo and inxi on this
# machine in one run (median of N runs; wall time and peak RSS, the load
# average before and after; PEERS_FLAGS=-interleave for one run of each
# tool per round), and prints
# the static binaries' sizes. The agent measured is the container image's
# build (-tags noserver); the full build, with the reference server, is
# only sized. Usage: bench/peers.sh [runs]
# Run it in a new PID namespace as root (unshare -pf --mount-proc): facter
# exits 1 where /proc/1/environ is unreadable.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CGO_ENABLED=0 go build -tags noserver -trimpath -ldflags "-s -w" -o "$out/hwagent" ./cmd/hwagent
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/hwagent-full" ./cmd/hwagent
echo "hwagent static binary, agent build (-tags noserver, the image's): $(stat -c %s "$out/hwagent") bytes"
echo "hwagent static binary, full build (with hwagent serve):           $(stat -c %s "$out/hwagent-full") bytes"
go run ./bench/peers -n "$runs" -hwagent "$out/hwagent" ${PEERS_FLAGS:-}
