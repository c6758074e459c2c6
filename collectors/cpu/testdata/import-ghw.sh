#!/bin/sh
# Re-creates testdata/ghw/* from the snapshots of real machines that ship in
# the module github.com/jaypipes/ghw v0.26.0 (testdata/snapshots, Apache-2.0).
# Only the files the cpu collector reads are kept, as plain files.
# Usage: sh testdata/import-ghw.sh  (from collectors/cpu)
set -eu
. "$(git rev-parse --show-toplevel)/testdata/lib/fixtures.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while read -r name archive; do
	ghw_unpack "$archive" "$tmp/$name"
	dst=testdata/ghw/$name
	rm -rf "$dst"
	(cd "$tmp/$name" && echo proc/cpuinfo && find sys/devices/system/cpu -maxdepth 1 \( -name possible -o -name present -o -name online -o -name offline \) -type f 2>/dev/null
	 cd "$tmp/$name" && find sys/devices/system/cpu/cpu[0-9]* -type f \( -path '*/topology/physical_package_id' -o -path '*/topology/core_id' \
		-o -regex '.*/cpu[0-9]+/online' -o -regex '.*/cache/index[0-9]+/\(level\|type\|size\|ways_of_associativity\|coherency_line_size\|shared_cpu_list\)' \) 2>/dev/null
	 cd "$tmp/$name" && find sys/devices/system/node -maxdepth 2 -type f \( -name cpulist -o -name meminfo -o -name possible -o -name online \) 2>/dev/null
	) | sort -u | while read -r f; do
		mkdir -p "$dst/$(dirname "$f")"
		cp "$tmp/$name/$f" "$dst/$f"
	done
done <<'LIST'
intel-i7-1270p linux-amd64-415ee03b8c4d1c4f07ae2e9d8b3d3d6d
amd-ryzen5-1600 linux-amd64-61797caf7c0b6bca1725ad7975ed4773
dual-xeon-l5640 linux-amd64-8581cf3a529e5d8b97ea876eade2f60d
xeon-e5-2695v4-vm linux-amd64-accel-nvidia
xeon-gold-5218r-vm linux-amd64-accel
skylake-offline-cpus linux-amd64-offlineCPUs
arm64-neoverse-n1 linux-arm64-c288e0776090cd558ef793b2a4e61939
s390x-z16 linux-s390x-snapshot
LIST
