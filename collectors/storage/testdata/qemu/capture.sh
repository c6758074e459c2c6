#!/bin/sh
# Boots Debian's kernel under QEMU (TCG) with one disk of every transport
# the storage collector distinguishes, and captures the guest's sysfs into
# testdata/qemu/q35-all-transports. Needs: qemu-system-x86 busybox-static
# kmod python3, and a linux-image .deb (apt-get download linux-image-6.1.0-*-amd64).
# Usage (from collectors/storage): sh testdata/qemu/capture.sh PATH/TO/linux-image.deb
set -eu
deb=$1
here=$(pwd)/testdata/qemu
. "$here/../capture-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/k"
kver=$(ls "$work/k/lib/modules")
depmod -b "$work/k" "$kver"
mkdir -p "$work/root/bin" "$work/root/modules" "$work/root/proc" "$work/root/sys" "$work/root/dev" "$work/root/tmp"
cp "$(command -v busybox)" "$work/root/bin/busybox"
for a in sh mount insmod sleep cat ln mkdir rm touch dirname basename realpath readlink find tar gzip base64 poweroff; do
	ln -s busybox "$work/root/bin/$a"
done
: >"$work/root/modules.load"
for m in ahci nvme virtio_pci virtio_blk virtio_scsi sd_mod sr_mod mptsas megaraid_sas xhci_pci usb-storage sdhci_pci mmc_block efivarfs; do
	modprobe -d "$work/k" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" {print $2}' | while read -r ko; do
		b=$(basename "$ko")
		grep -qx "$b" "$work/root/modules.load" && continue
		cp "$ko" "$work/root/modules/$b"
		echo "$b" >>"$work/root/modules.load"
	done
done
cp "$here/guest-init.sh" "$work/root/init"
cp "$here/../capture-lib.sh" "$work/root/capture-lib.sh"
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$work/initrd.gz"

# Disks: sparse files; two carry an MBR with two partitions.
for d in sata nvme nvmemp virtio vscsi sas usb mega; do truncate -s 256M "$work/$d.img"; done
truncate -s 64M "$work/sd.img"
python3 "$here/mbr.py" "$work/sata.img" "$work/nvmemp.img"

qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 -machine q35 -nographic -no-reboot \
	-kernel "$work/k/boot/vmlinuz-$kver" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1" \
	-drive if=none,id=sata,file="$work/sata.img",format=raw \
	-device ide-hd,drive=sata,bus=ide.0,serial=QM00001SATA,model="QEMU SATA DISK",wwn=0x5000c500a1b2c3d4,rotation_rate=7200 \
	-drive if=none,id=cd,media=cdrom \
	-device ide-cd,drive=cd,bus=ide.1 \
	-drive if=none,id=nvme,file="$work/nvme.img",format=raw \
	-device nvme,id=nvme0,serial=NVME0SERIAL01 \
	-device nvme-ns,drive=nvme,bus=nvme0,nsid=1,eui64=0x0011223344556677,logical_block_size=4096,physical_block_size=4096 \
	-device nvme-subsys,id=subsys1,nqn=nqn.2024-01.org.example:subsys1 \
	-drive if=none,id=nvmemp,file="$work/nvmemp.img",format=raw \
	-device nvme,id=nvme1,serial=NVME1SERIAL02,subsys=subsys1 \
	-device nvme-ns,drive=nvmemp,bus=nvme1,nsid=1,uuid=5c5a6a5e-1b7a-4b4b-9a57-3c2a7d1e0f01 \
	-drive if=none,id=virtio,file="$work/virtio.img",format=raw \
	-device virtio-blk-pci,drive=virtio,serial=VIRTIO-SERIAL-3 \
	-device virtio-scsi-pci,id=vscsi \
	-drive if=none,id=vscsi,file="$work/vscsi.img",format=raw \
	-device scsi-hd,drive=vscsi,bus=vscsi.0,serial=VSCSI-SERIAL-4,wwn=0x5000c50015ea71ac,vendor=SEAGATE,product=ST4000NM0035,ver=TN04 \
	-device mptsas1068,id=sas0 \
	-drive if=none,id=sas,file="$work/sas.img",format=raw \
	-device scsi-hd,drive=sas,bus=sas0.0,serial=SAS-SERIAL-5,wwn=0x5000cca02b3c4d5e,vendor=HGST,product=HUH721010AL4200,ver=A384,rotation_rate=7200 \
	-device megasas,id=mr0 \
	-drive if=none,id=mega,file="$work/mega.img",format=raw \
	-device scsi-hd,drive=mega,bus=mr0.0,serial=MEGA-SERIAL-6 \
	-device qemu-xhci,id=xhci \
	-drive if=none,id=usb,file="$work/usb.img",format=raw \
	-device usb-storage,drive=usb,bus=xhci.0,serial=USB-SERIAL-7,removable=on \
	-device sdhci-pci \
	-drive if=none,id=sd,file="$work/sd.img",format=raw \
	-device sd-card,drive=sd \
	>"$work/console.log" 2>&1 || true

extractcapture "$work/console.log" "$here/q35-all-transports"
