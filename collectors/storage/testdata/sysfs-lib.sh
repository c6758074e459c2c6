# sysfs-lib.sh: shell functions that copy sysfs into a plain tree, shared by
# the capture scripts of the storage and firmware collectors; sourced, never
# run: capture-local.sh here, and qemu/guest-init.sh here and in
# collectors/firmware/testdata/qemu inside their guests (each capture.sh
# copies this file into the initramfs as /sysfs-lib.sh). POSIX sh (busybox
# in the guests).
#
# The caller sets CAP, the directory the copy goes to: /sys/x lands in
# $CAP/sys/x.

# copydir copies one directory level: regular files (read; a file whose read
# fails is left out) and symlinks (as symlinks), dotfiles included. It skips
# the attributes whose read has side effects or that are not worth a copy
# (remove, rescan, reset, resource*, rom, config, delete, new_id, remove_id,
# bind, unbind, uevent_seqnum), and a directory it already copied.
copydir() {
	d=$1
	[ -e "$CAP$d/.done" ] && return
	mkdir -p "$CAP$d"
	for f in "$d"/* "$d"/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		case $(basename "$f") in remove|rescan|reset|resource*|rom|config|delete|new_id|remove_id|bind|unbind|uevent_seqnum) continue ;; esac
		if [ -L "$f" ]; then
			ln -s "$(readlink "$f")" "$CAP$f"
		elif [ -f "$f" ]; then
			cat "$f" >"$CAP$f" 2>/dev/null || rm -f "$CAP$f"
		fi
	done
	touch "$CAP$d/.done"
}

# ancestors copies every directory from $1 up to /sys/devices (excluded).
ancestors() {
	d=$1
	while [ "$d" != /sys/devices ] && [ "$d" != / ]; do
		copydir "$d"
		d=$(dirname "$d")
	done
}

# copydone removes copydir's markers; call it when the copy is complete.
copydone() {
	find "$CAP" -name .done -exec rm {} +
}
