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
. testdata/lib/fixtures.sh

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
ghw_unpack linux-amd64-8581cf3a529e5d8b97ea876eade2f60d "$t"
smbios_tables SuperMicro-X9DBL "$t"
hook_kernel "$t" x86_64 server-r610
keep_empty_dirs "$t"
echo "$t"

# A Ryzen 5 1600 desktop (three SATA disks, four NICs) with the SMBIOS
# table of a GigaByte X399 board.
t=$here/desktop-ryzen-x399
ghw_unpack linux-amd64-61797caf7c0b6bca1725ad7975ed4773 "$t"
smbios_tables GigaByte-X399 "$t"
hook_kernel "$t" x86_64 desktop-ryzen
keep_empty_dirs "$t"
echo "$t"

# A Lenovo Alder Lake laptop (i7-1270P, Samsung NVMe, iwlwifi) with the
# SMBIOS table of a Lenovo ThinkPad T480.
t=$here/laptop-lenovo-t480
ghw_unpack linux-amd64-415ee03b8c4d1c4f07ae2e9d8b3d3d6d "$t"
smbios_tables Lenovo-ThinkPad-T480 "$t"
hook_kernel "$t" x86_64 laptop-t480
keep_empty_dirs "$t"
echo "$t"

# A QEMU q35 guest with a passed-through NVIDIA Tesla P100, with the SMBIOS
# table of a VMware virtual machine.
t=$here/vm-p100-vmware
ghw_unpack linux-amd64-accel-nvidia "$t"
smbios_tables VMWare "$t"
hook_kernel "$t" x86_64 vm-p100
keep_empty_dirs "$t"
echo "$t"

# An AWS Graviton instance (Neoverse-N1, ENA, NVMe EBS) as ghw kept it: no
# SMBIOS table is grafted on (none of the fixtures is an arm64 machine).
t=$here/arm64-graviton
ghw_unpack linux-arm64-c288e0776090cd558ef793b2a4e61939 "$t"
hook_kernel "$t" aarch64 arm64-graviton
keep_empty_dirs "$t"
echo "$t"
