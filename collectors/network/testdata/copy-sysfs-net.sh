#!/bin/sh
# copy-sysfs-net.sh SRC DST: copy what the network collector reads from
# SRC/sys/class/net (a live /sys, or an unpacked ghw snapshot) into DST/sys as
# plain files and symlinks: the class links, each interface's attributes,
# bond and bridge membership, the device's driver link and, for PCI and
# virtio devices, the PCI function's identity attributes. Attributes whose
# read fails (speed and duplex of a down link: EINVAL) are left out. Run
# once to make testdata trees; the tests never run it.
set -eu
src=$(cd "$1" && pwd -P) dst=$2
mkdir -p "$dst/sys/class/net"
copy_attrs() { # DIR ATTR...
	d=$1; shift
	rel=${d#"$src/"}
	mkdir -p "$dst/$rel"
	for f in "$@"; do
		if [ -L "$d/$f" ]; then cp -P "$d/$f" "$dst/$rel/$f"
		elif [ -f "$d/$f" ] && cat "$d/$f" > /tmp/copy-sysfs-net.$$ 2>/dev/null; then
			mkdir -p "$(dirname "$dst/$rel/$f")"; cp /tmp/copy-sysfs-net.$$ "$dst/$rel/$f"
		fi
	done
	rm -f /tmp/copy-sysfs-net.$$
}
for link in "$src"/sys/class/net/*; do
	name=$(basename "$link")
	cp -P "$link" "$dst/sys/class/net/$name"
	dir=$(cd "$link" && pwd -P)
	copy_attrs "$dir" addr_assign_type type uevent ifindex address addr_len speed duplex carrier operstate flags mtu \
		master bonding/slaves bonding_slave/perm_hwaddr
	[ -d "$dir/bridge" ] && copy_attrs "$dir" bridge/bridge_id
	if [ -d "$dir/brif" ]; then
		mkdir -p "$dst/${dir#"$src/"}/brif"
		for m in "$dir"/brif/*; do [ -L "$m" ] && cp -P "$m" "$dst/${dir#"$src/"}/brif/"; done
	fi
	case "$dir" in */devices/virtual/*) continue ;; esac
	dev=$(dirname "$(dirname "$dir")")
	copy_attrs "$dev" driver
	case "$(basename "$dev")" in virtio*) dev=$(dirname "$dev") ;; esac
	copy_attrs "$dev" modalias vendor device class subsystem_vendor subsystem_device
done
