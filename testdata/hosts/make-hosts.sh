#!/bin/sh
# Re-creates the composite host trees of testdata/hosts from real data:
# a ghw v0.26.0 snapshot of a real machine (proc, sys) with a real SMBIOS
# table of /work/shared/fixtures/smbios grafted on as
# sys/firmware/dmi/tables/{smbios_entry_point,DMI}, plus three hand-written
# kernel files the snapshots do not keep (see README.md).
#
#   sh testdata/hosts/make-hosts.sh            # the ghw composites
#   sh testdata/hosts/make-hosts.sh build-vm   # capture THIS machine with hwagent snapshot
#   sh testdata/hosts/make-hosts.sh pci.ids    # the pinned pci.ids excerpt the goldens use
#
# Run from the repository root. The QEMU trees are made by
#   go test ./cmd/hwagent -run TestRegenerateQEMUHost -regenerate-qemu
set -eu
here=testdata/hosts
smbios=${SMBIOS_FIXTURES:-/work/shared/fixtures/smbios}
ghw=$(go list -m -f '{{.Dir}}' github.com/jaypipes/ghw)/testdata/snapshots

# tables NAME DIR: the fixture's entry point (31 bytes for _SM_, 24 for
# _SM3_) and its structure table from offset 0x20, as the kernel exports them.
tables() {
	d=$2/sys/firmware/dmi/tables
	mkdir -p "$d"
	if [ "$(head -c 5 "$smbios/$1.bin")" = "_SM3_" ]; then n=24; else n=31; fi
	head -c $n "$smbios/$1.bin" >"$d/smbios_entry_point"
	tail -c +33 "$smbios/$1.bin" >"$d/DMI"
}

# snapshot NAME DIR: a ghw snapshot's files, symlinks kept.
snapshot() {
	rm -rf "$2"
	mkdir -p "$2"
	tar xzf "$ghw/$1.tar.gz" -C "$2"
	chmod -R u+w "$2"
}

# kernel DIR ARCH HOSTNAME: what /proc/sys/kernel would say under Hook's
# kernel (hand-written: the snapshots keep none of it). ARCH is the
# snapshot's own architecture.
kernel() {
	mkdir -p "$1/proc/sys/kernel"
	echo 6.6.74-linuxkit >"$1/proc/sys/kernel/osrelease"
	echo "$2" >"$1/proc/sys/kernel/arch"
	echo "$3" >"$1/proc/sys/kernel/hostname"
}

if [ "${1:-}" = pci.ids ]; then
	# Every vendor/device of the trees' PCI functions (from modalias), then
	# from Debian's pci.ids: the header, each such vendor line with the
	# wanted device lines and all their subsystem lines, and the whole class
	# list. Kept lines are byte-for-byte the originals.
	ids=${PCI_IDS:-/usr/share/misc/pci.ids}
	cat "$here"/*/sys/bus/pci/devices/*/modalias |
		sed -n 's/^pci:v0000\(....\)d0000\(....\).*/\1 \2/p' | tr A-F a-f | sort -u >"$here/pci.ids.wanted"
	awk '
	NR==FNR { v[$1]=1; d[$1" "$2]=1; next }
	FNR<=27 { print; next }
	/^C / { cls=1 }
	cls { print; next }
	/^#/ { next }
	/^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { cv=substr($0,1,4); dev=0; if (cv in v) print; next }
	/^\t[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { dev=((cv" "substr($0,2,4)) in d); if (dev) print; next }
	/^\t\t/ { if (dev) print; next }
	' "$here/pci.ids.wanted" "$ids" >"$here/pci.ids"
	rm "$here/pci.ids.wanted"
	echo "$here/pci.ids: $(wc -l <"$here/pci.ids") lines"
	exit 0
fi

if [ "${1:-}" = build-vm ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	go build -o "$tmp/hwagent" ./cmd/hwagent
	"$tmp/hwagent" snapshot --out "$tmp/s.tar.gz" --lldp-wait 0
	rm -rf "$here/build-vm"
	mkdir -p "$here/build-vm"
	tar xzf "$tmp/s.tar.gz" -C "$here/build-vm"
	# The host's whole pci.ids (1.3 MB) is not kept: the goldens use the
	# pinned excerpt testdata/hosts/pci.ids.
	rm -rf "$here/build-vm/usr/share/misc" "$here/build-vm/usr/share/hwdata"
	rmdir "$here/build-vm/usr/share" 2>/dev/null || true
	echo "$here/build-vm"
	exit 0
fi

# A Dell PowerEdge R610 (2× Xeon L5640, bnx2 LOMs, PERC 6/i, megaraid disk,
# DVD drive) with the SMBIOS table of a SuperMicro X9DBL dual-socket board.
t=$here/server-r610-x9dbl
snapshot linux-amd64-8581cf3a529e5d8b97ea876eade2f60d "$t"
tables SuperMicro-X9DBL "$t"
kernel "$t" x86_64 server-r610
echo "$t"

# A Ryzen 5 1600 desktop (three SATA disks, four NICs) with the SMBIOS
# table of a GigaByte X399 board.
t=$here/desktop-ryzen-x399
snapshot linux-amd64-61797caf7c0b6bca1725ad7975ed4773 "$t"
tables GigaByte-X399 "$t"
kernel "$t" x86_64 desktop-ryzen
echo "$t"

# A Lenovo Alder Lake laptop (i7-1270P, Samsung NVMe, iwlwifi) with the
# SMBIOS table of a Lenovo ThinkPad T480.
t=$here/laptop-lenovo-t480
snapshot linux-amd64-415ee03b8c4d1c4f07ae2e9d8b3d3d6d "$t"
tables Lenovo-ThinkPad-T480 "$t"
kernel "$t" x86_64 laptop-t480
echo "$t"

# A QEMU q35 guest with a passed-through NVIDIA Tesla P100, with the SMBIOS
# table of a VMware virtual machine.
t=$here/vm-p100-vmware
snapshot linux-amd64-accel-nvidia "$t"
tables VMWare "$t"
kernel "$t" x86_64 vm-p100
echo "$t"

# An AWS Graviton instance (Neoverse-N1, ENA, NVMe EBS) as ghw kept it: no
# SMBIOS table is grafted on (none of the fixtures is an arm64 machine).
t=$here/arm64-graviton
snapshot linux-arm64-c288e0776090cd558ef793b2a4e61939 "$t"
kernel "$t" aarch64 arm64-graviton
echo "$t"
