#!/bin/sh
# /init of the capture guest (see capture.sh): loads the storage drivers,
# copies the sysfs files of every block device (its directory, queue,
# partitions, and one level of every ancestor device, keeping symlinks as
# symlinks and binary attributes such as vpd_pg83 byte for byte) into a
# tmpfs, and prints the copy as a base64 tar.gz between markers. copydir,
# ancestors and printcapture come from ../capture-lib.sh, which capture.sh
# puts in the initramfs.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules.load); do
	case $m in
	*usb-storage.ko) insmod /modules/$(basename $m) delay_use=0 ;;
	*) insmod /modules/$(basename $m) 2>/dev/null ;;
	esac
done
[ -d /sys/firmware/efi/efivars ] && mount -t efivarfs efivarfs /sys/firmware/efi/efivars
sleep 4

CAP=/cap
mkdir -p $CAP
. /capture-lib.sh
mkdir -p $CAP/sys/block $CAP/sys/class/tpm
for b in /sys/block/*; do
	n=$(basename $b)
	ln -s "$(readlink $b)" $CAP/sys/block/$n
	r=$(realpath $b)
	ancestors $r
	[ -d $r/queue ] && copydir $r/queue
	for p in $r/$n*; do [ -d $p ] && copydir $p; done
	[ -e $r/device ] && ancestors $(realpath $r/device)
	# NVMe multipath: the subsystem links to its controllers.
	for c in $r/../nvme[0-9]*; do [ -L $c ] && ancestors $(realpath $c); done
done
for t in /sys/class/tpm/*; do
	[ -L $t ] || continue
	ln -s "$(readlink $t)" $CAP/sys/class/tpm/$(basename $t)
	ancestors $(realpath $t)
done
if [ -d /sys/firmware/efi ]; then
	copydir /sys/firmware/efi
	for v in SecureBoot SetupMode; do
		f=/sys/firmware/efi/efivars/$v-8be4df61-93ca-11d2-aa0d-00e098032b8c
		[ -e $f ] && mkdir -p $CAP/sys/firmware/efi/efivars && cat $f >$CAP$f
	done
fi
printcapture
poweroff -f
