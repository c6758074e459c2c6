#!/usr/bin/env bash
# Times `hwagent export` on a fleet of N inventory files (default 10,000;
# the eight fleet machines of export/testdata/fleet, each copy with its
# own serial, UUID, MACs and BMC address; 23 KiB per file on average): wall
# time, CPU time and peak RSS for hardware-csv and tinkerbell, with
# /usr/bin/time (Debian package "time"). Usage: bench/export.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CGO_ENABLED=0 go build -trimpath -o "$out/hwagent" ./cmd/hwagent
go test ./export -run '^TestWriteBenchFleet$' -count=1 -args -fleet-out "$out/fleet" -fleet-n "$n" >/dev/null
echo "fleet: $n files, $(du -sh "$out/fleet" | cut -f1) on disk"
export HWAGENT_BMC_USERNAME=ADMIN HWAGENT_BMC_PASSWORD=bench
for cmd in hardware-csv tinkerbell; do
	/usr/bin/time -f "$cmd: %e s wall, %U s user, %S s sys, %M KiB peak RSS" \
		"$out/hwagent" export "$cmd" --plan "$out/bench-plan.yaml" --log-level warn "$out/fleet" -o "$out/$cmd.out"
done
echo "outputs: $(wc -l <"$out/hardware-csv.out") csv lines, $(grep -c '^kind: Hardware' "$out/tinkerbell.out") Hardware documents"
