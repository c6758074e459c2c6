#!/bin/sh
# Captures the block devices of the machine this runs on into
# testdata/local/NAME (default: vm-virtio), the way testdata/qemu/guest-init.sh
# does inside its guest: sys/block links; for every device not under
# devices/virtual, its directory, queue/, partitions and one level of every
# ancestor device, with the copydir and ancestors of capture-lib.sh.
# testdata/local/vm-virtio was captured once on the project's build VM (one
# virtio-blk disk, loop and zram devices, no udev).
set -eu
dst=$(pwd)/testdata/local/${1:-vm-virtio}
rm -rf "$dst"
CAP=$dst
. "$(dirname "$0")/capture-lib.sh"
mkdir -p "$dst/sys/block"
for b in /sys/block/*; do
	n=$(basename "$b")
	ln -s "$(readlink "$b")" "$dst/sys/block/$n"
	r=$(realpath "$b")
	case $r in /sys/devices/virtual/*) continue ;; esac
	ancestors "$r"
	[ -d "$r/queue" ] && copydir "$r/queue"
	for p in "$r/$n"*; do [ -d "$p" ] && copydir "$p"; done
	[ -e "$r/device" ] && ancestors "$(realpath "$r/device")"
done
copydone
