#!/bin/sh
# copy-sysfs.sh SRC DST: copy the PCI part of a sysfs tree (SRC/sys, a live
# /sys or an unpacked ghw snapshot) that the pci collector reads into DST/sys,
# as plain files and symlinks. Run once to make the testdata trees; the tests
# never run it.
set -eu
src=$1 dst=$2
mkdir -p "$dst/sys/bus/pci/devices"
for link in "$src"/sys/bus/pci/devices/*; do
	name=$(basename "$link")
	target=$(readlink "$link")
	cp -P "$link" "$dst/sys/bus/pci/devices/$name"
	dir=$(cd "$(dirname "$link")" && cd "$target" && pwd -P)
	rel=${dir#"$(cd "$src" && pwd -P)/"}
	mkdir -p "$dst/$rel"
	for f in class vendor device subsystem_vendor subsystem_device revision modalias numa_node; do
		[ -r "$dir/$f" ] && cat "$dir/$f" > "$dst/$rel/$f" 2>/dev/null || rm -f "$dst/$rel/$f"
	done
	for l in driver iommu_group; do
		[ -L "$dir/$l" ] && cp -P "$dir/$l" "$dst/$rel/$l"
	done
done
