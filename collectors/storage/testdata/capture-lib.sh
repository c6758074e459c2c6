# capture-lib.sh: shell functions of the fixture capture scripts of the
# storage and firmware collectors; sourced, never run. POSIX sh (busybox in
# the guests).
#
# Copying sysfs into a plain tree (copydir, ancestors, copydone) serves
# capture-local.sh here and qemu/guest-init.sh here and in
# collectors/firmware/testdata/qemu inside their QEMU guests (each
# qemu/capture.sh copies this file into the initramfs as /capture-lib.sh);
# the caller sets CAP, the directory the copy goes to: /sys/x lands in
# $CAP/sys/x. A guest prints its copy on the console with printcapture;
# qemu/capture.sh unpacks it from the console log with extractcapture.

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

# The lines around the base64 tar.gz on the guest's console.
CAPTURE_BEGIN='=====BEGIN CAPTURE====='
CAPTURE_END='=====END CAPTURE====='

# printcapture, in a guest, ends the copy (copydone) and prints $CAP as a
# base64 tar.gz between CAPTURE_BEGIN and CAPTURE_END.
printcapture() {
	copydone
	echo "$CAPTURE_BEGIN"
	(cd "$CAP" && tar cf - . | gzip -9 | base64)
	echo "$CAPTURE_END"
}

# extractcapture LOG OUT, on the host, replaces the directory OUT with the
# capture printed in the console log LOG.
extractcapture() {
	rm -rf "$2"
	mkdir -p "$2"
	sed -n "/$CAPTURE_BEGIN/,/$CAPTURE_END/p" "$1" | sed '1d;$d' | tr -d '\r' |
		base64 -d | tar xzf - -C "$2"
	echo "captured into $2: $(find "$2" -type f | wc -l) files"
}
