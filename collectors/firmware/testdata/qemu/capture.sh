#!/bin/sh
# Boots Debian's kernel under QEMU (TCG) with UEFI firmware (OVMF built
# with Secure Boot support, SMM on, no keys enrolled: Setup Mode) and a TPM 2.0 (swtpm behind tpm-tis), and
# captures what the firmware collector reads into
# testdata/qemu/ovmf-setupmode-swtpm2.
# Needs: qemu-system-x86 ovmf swtpm busybox-static, and a linux-image .deb
# (apt-get download linux-image-6.1.0-*-amd64).
# Usage (from collectors/firmware): sh testdata/qemu/capture.sh PATH/TO/linux-image.deb
set -eu
deb=$1
here=$(pwd)/testdata/qemu
. "$here/../../../storage/testdata/capture-lib.sh"
work=$(mktemp -d)
swtpm_pid=
cleanup() {
	[ -n "$swtpm_pid" ] && kill "$swtpm_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
dpkg-deb -x "$deb" "$work/k"
kver=$(ls "$work/k/lib/modules")
mkdir -p "$work/root/bin" "$work/root/modules" "$work/root/proc" "$work/root/sys" "$work/root/dev" "$work/tpm"
cp "$(command -v busybox)" "$work/root/bin/busybox"
for a in sh mount insmod sleep cat ln mkdir rm touch dirname basename realpath readlink find tar gzip base64 poweroff; do
	ln -s busybox "$work/root/bin/$a"
done
cp "$(find "$work/k/lib/modules/$kver" -name 'efivarfs.ko*')" "$work/root/modules/efivarfs.ko"
cp "$here/guest-init.sh" "$work/root/init"
cp "$here/../../../storage/testdata/capture-lib.sh" "$work/root/capture-lib.sh"
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$work/initrd.gz"
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$work/vars.fd"

swtpm socket --tpm2 --tpmstate dir="$work/tpm" --ctrl type=unixio,path="$work/swtpm.sock" &
swtpm_pid=$!
sleep 1
qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 1 -machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on -nographic -no-reboot \
	-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd \
	-drive if=pflash,format=raw,file="$work/vars.fd" \
	-kernel "$work/k/boot/vmlinuz-$kver" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1" \
	-chardev socket,id=chrtpm,path="$work/swtpm.sock" \
	-tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-tis,tpmdev=tpm0 \
	>"$work/console.log" 2>&1 || true

extractcapture "$work/console.log" "$here/ovmf-setupmode-swtpm2"
