#!/bin/sh
# /init of the firmware capture guest (see capture.sh): mounts efivarfs and
# copies what the firmware collector reads (sys/firmware/efi, the
# SecureBoot and SetupMode variables, sys/class/tpm and one level of every
# ancestor of the TPM device, the SMBIOS tables) into a tmpfs, printed as a
# base64 tar.gz between markers. copydir, ancestors and printcapture come
# from collectors/storage/testdata/capture-lib.sh, which capture.sh puts in
# the initramfs.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
insmod /modules/efivarfs.ko 2>/dev/null
[ -d /sys/firmware/efi/efivars ] && mount -t efivarfs efivarfs /sys/firmware/efi/efivars
sleep 1
CAP=/cap
. /capture-lib.sh
mkdir -p $CAP/sys/class/tpm $CAP/sys/firmware
copydir /sys/firmware
[ -d /sys/firmware/efi ] && copydir /sys/firmware/efi
for v in SecureBoot SetupMode; do
	f=/sys/firmware/efi/efivars/$v-8be4df61-93ca-11d2-aa0d-00e098032b8c
	[ -e $f ] && mkdir -p $CAP/sys/firmware/efi/efivars && cat $f >$CAP$f
done
[ -d /sys/firmware/dmi/tables ] && copydir /sys/firmware/dmi/tables
for t in /sys/class/tpm/*; do
	[ -L $t ] || continue
	ln -s "$(readlink $t)" $CAP/sys/class/tpm/$(basename $t)
	ancestors $(realpath $t)
done
printcapture
poweroff -f
