#!/bin/sh
# Captures the files the host collector reads from the machine this runs on
# into testdata/local/NAME (default: vm-virtio), keeping etc/os-release a
# symlink as the host has it. testdata/local/vm-virtio was captured once on
# the project's build VM (Debian 12 userland, Firecracker-style guest kernel).
set -eu
dst=$(pwd)/testdata/local/${1:-vm-virtio}
rm -rf "$dst"
mkdir -p "$dst/proc/sys/kernel/random" "$dst/etc" "$dst/usr/lib"
for f in proc/sys/kernel/hostname proc/sys/kernel/osrelease proc/sys/kernel/version \
	proc/sys/kernel/arch proc/sys/kernel/random/boot_id proc/uptime proc/cmdline usr/lib/os-release; do
	[ -e "/$f" ] && cat "/$f" >"$dst/$f"
done
if [ -L /etc/os-release ]; then
	ln -s "$(readlink /etc/os-release)" "$dst/etc/os-release"
else
	cat /etc/os-release >"$dst/etc/os-release"
fi
