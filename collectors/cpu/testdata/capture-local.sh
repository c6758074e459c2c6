#!/bin/sh
# Captures the files the cpu collector reads from the machine this runs on
# into testdata/local/NAME (default: vm-virtio), as plain files.
# testdata/local/vm-virtio was captured once on the project's build VM
# (a Firecracker-style guest, 2 vCPUs, no SMBIOS).
set -eu
dst=$(pwd)/testdata/local/${1:-vm-virtio}
rm -rf "$dst"
cd /
{
	echo proc/cpuinfo
	find sys/devices/system/cpu -maxdepth 1 -type f \( -name possible -o -name present -o -name online -o -name offline \)
	find sys/devices/system/cpu/ -regex '.*/cpu[0-9]+/\(online\|topology/physical_package_id\|topology/core_id\|cache/index[0-9]+/\(level\|type\|size\|ways_of_associativity\|coherency_line_size\|shared_cpu_list\)\)'
	find sys/devices/system/node -maxdepth 2 -type f \( -name cpulist -o -name meminfo -o -name possible -o -name online \)
} | sort -u | while read -r f; do
	mkdir -p "$dst/$(dirname "$f")"
	cat "/$f" >"$dst/$f"
done
