#!/bin/sh
# Captures the block devices of the machine this runs on into
# testdata/local/NAME (default: vm-virtio), the way testdata/qemu/guest-init.sh
# does inside its guest: sys/block links; for every device not under
# devices/virtual, its directory, queue/, partitions and one level of every
# ancestor device. testdata/local/vm-virtio was captured once on the
# project's build VM (one virtio-blk disk, loop and zram devices, no udev).
set -eu
dst=$(pwd)/testdata/local/${1:-vm-virtio}
rm -rf "$dst"
copydir() {
	d=$1
	[ -e "$dst$d/.done" ] && return
	mkdir -p "$dst$d"
	for f in "$d"/* "$d"/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		case $(basename "$f") in remove|rescan|reset|resource*|rom|config|delete|new_id|remove_id|bind|unbind|uevent_seqnum) continue ;; esac
		if [ -L "$f" ]; then
			ln -s "$(readlink "$f")" "$dst$f"
		elif [ -f "$f" ]; then
			cat "$f" >"$dst$f" 2>/dev/null || rm -f "$dst$f"
		fi
	done
	touch "$dst$d/.done"
}
ancestors() {
	d=$1
	while [ "$d" != /sys/devices ] && [ "$d" != / ]; do
		copydir "$d"
		d=$(dirname "$d")
	done
}
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
find "$dst" -name .done -exec rm {} +
