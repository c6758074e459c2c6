#!/usr/bin/env bash
# Compares hwagent's full dump with lshw, facter, hwinfo and inxi on this
# machine in one run (median of N runs; wall time and peak RSS), and prints
# the static binary's size. Usage: bench/peers.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/hwagent" ./cmd/hwagent
echo "hwagent static binary: $(du -h "$out/hwagent" | cut -f1) ($(stat -c %s "$out/hwagent") bytes)"
go run ./bench/peers -n "$runs" -hwagent "$out/hwagent"
