#!/bin/sh
# Re-creates the fleet's inventory documents from real fixtures: each
# machine's host tree is assembled in a temp dir from an SMBIOS table of
# /work/shared/fixtures/smbios (split into sys/firmware/dmi/tables as that
# folder's README says), a ghw v0.26.0 snapshot (proc, sys: CPU, memory,
# NUMA, block) and the network/storage trees other collectors' tests keep,
# then the collectors run over it (./dump) with the hand edits README.md
# lists. Run from the repository root:  sh export/testdata/fleet/make-fleet.sh
set -eu
here=export/testdata/fleet
. testdata/lib/fixtures.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/dump" ./$here/dump

# machine NAME DUMP-FLAGS...: build the tree in $tmp/NAME first. Every
# machine's disks were wiped for provisioning: the tree's partitions go,
# and -blank records the first sectors, which a recording cannot hold, as
# read and blank (README.md, "Hand edits").
machine() {
	name=$1
	shift
	wipe "$tmp/$name"
	"$tmp/dump" -root "$tmp/$name" -blank "$@" >"$here/$name.json"
	echo "$here/$name.json"
}

# wipe TREE: removes the partitions of every disk from the tree's sysfs.
wipe() {
	find "$1/sys/devices" -name partition -type f | while read -r f; do
		rm -rf "$(dirname "$f")"
	done
}

# A SuperMicro dual-socket server: X9DBL table, dual Xeon L5640 snapshot
# (a megaraid disk and a DVD drive), the bonded ixgbe pair that netbooted
# (BOOTIF) and an igb port with link down; UEFI.
t=$tmp/srv-x9dbl
ghw_unpack linux-amd64-8581cf3a529e5d8b97ea876eade2f60d "$t"
overlay collectors/network/testdata/handmade-bond-vlan "$t"
smbios_tables SuperMicro-X9DBL "$t"
hook_kernel "$t" x86_64 hook
uefi "$t"
machine srv-x9dbl -bmc 10.20.0.11,0c:c4:7a:13:38:7a \
	-lldp enp17s0f0=leaf-01.rack-a,Ethernet1/11,120 -lldp enp17s0f1=leaf-02.rack-a,Ethernet1/11,120

# A Ryzen desktop board: X399 table (placeholder serial "Default string"),
# Ryzen 5 1600 snapshot with three SATA disks and four NICs; ghw keeps no
# NIC addresses or link state, so those are edits.
t=$tmp/desk-x399
ghw_unpack linux-amd64-61797caf7c0b6bca1725ad7975ed4773 "$t"
smbios_tables GigaByte-X399 "$t"
hook_kernel "$t" x86_64 hook
machine desk-x399 -link enp3s0=04:d9:f5:3a:11:20,1000 -link enp6s0f0=a0:36:9f:5c:20:40,1000 \
	-lldp enp6s0f0=leaf-01.rack-a,Ethernet1/21,120

# A laptop: ThinkPad T480 table, i7-1270P snapshot with an NVMe disk, the
# build VM's virtio NIC (address edited to stay unique in the fleet).
t=$tmp/laptop-t480
ghw_unpack linux-amd64-415ee03b8c4d1c4f07ae2e9d8b3d3d6d "$t"
overlay collectors/network/testdata/build-vm "$t"
smbios_tables Lenovo-ThinkPad-T480 "$t"
hook_kernel "$t" x86_64 hook
uefi "$t"
machine laptop-t480 -link eth0=8c:16:45:aa:10:01,1000

# A VMware guest: VMware table, this project's build VM (virtio disk and
# NIC, real captures), memory from the Xeon Gold VM snapshot.
t=$tmp/vm-vmware
ghw_unpack linux-amd64-accel "$t"
rm -rf "$t/sys/block" "$t/sys/class/block"
overlay collectors/cpu/testdata/local/vm-virtio "$t"
overlay collectors/storage/testdata/local/vm-virtio "$t"
overlay collectors/network/testdata/build-vm "$t"
smbios_tables VMWare "$t"
hook_kernel "$t" x86_64 hook
machine vm-vmware -link eth0=00:50:56:aa:10:02,10000

# A Synology NAS board (placeholder serials: identity from the UUID) with
# the NVIDIA GPU VM snapshot (one SATA disk, a GPU).
t=$tmp/nas-synology
ghw_unpack linux-amd64-accel-nvidia "$t"
overlay collectors/network/testdata/build-vm "$t"
smbios_tables Synology-RS3614xsp "$t"
hook_kernel "$t" x86_64 hook
uefi "$t"
machine nas-synology -bmc 10.20.0.15,00:11:32:aa:10:03 -link eth0=00:11:32:aa:10:04,10000 \
	-lldp eth0=leaf-02.rack-a,Ethernet1/30,120

# An arm64 machine: Asus UX307LA table, Neoverse-N1 snapshot (NVMe).
t=$tmp/arm-n1
ghw_unpack linux-arm64-c288e0776090cd558ef793b2a4e61939 "$t"
overlay collectors/network/testdata/build-vm "$t"
smbios_tables Asus-UX307LA "$t"
hook_kernel "$t" aarch64 hook
uefi "$t"
machine arm-n1 -link eth0=02:42:ac:aa:10:05,25000

# Two QEMU guests exactly as hwagent dump collected them for the
# whole-inventory goldens (testdata/hosts: chosen SMBIOS, NICs with fixed
# MACs, NVMe/SATA/virtio disks, BOOTIF= and ip= on the kernel command line),
# their blank disks recorded as read (the goldens replay recordings).
"$tmp/dump" -in testdata/golden/qemu-pc-smbios2.json -blank >"$here/qemu-acme-r220.json"
"$tmp/dump" -in testdata/golden/qemu-q35-smbios3.json -blank >"$here/qemu-acme-r440.json"
echo "$here/qemu-acme-r220.json $here/qemu-acme-r440.json"
