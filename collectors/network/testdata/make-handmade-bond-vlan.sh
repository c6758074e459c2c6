#!/bin/sh
# make-handmade-bond-vlan.sh DST: write the hand-built tree of a server with
# two 10G ports bonded active-backup (bond0), a VLAN on the bond
# (bond0.100) in a bridge (br100), and a third port whose link is down.
# No bonding or 8021q module exists on the build VM, so this tree is
# written by hand in the layout of a real sysfs; the bond's
# /proc/net/bonding file is a real one (testdata/bonding/active-backup,
# from a RHEL host), and names and MACs follow it. Run once; the tests
# read the result.
set -eu
d=$1
mkdir -p "$d/sys/class/net" "$d/proc/net/bonding" "$d/proc/net/vlan"
attr() { mkdir -p "$(dirname "$1")"; printf '%s\n' "$2" > "$1"; }
nic() { # DIR NAME IFINDEX MAC SPEED CARRIER OPERSTATE FLAGS DEVTYPE
	attr "$1/type" 1; attr "$1/ifindex" "$3"; attr "$1/address" "$4"; attr "$1/addr_len" 6
	[ -n "$5" ] && attr "$1/speed" "$5" && attr "$1/duplex" full
	[ -n "$6" ] && attr "$1/carrier" "$6"
	attr "$1/operstate" "$7"; attr "$1/flags" "$8"; attr "$1/mtu" 9000
	if [ -n "$9" ]; then printf 'DEVTYPE=%s\nINTERFACE=%s\nIFINDEX=%s\n' "$9" "$2" "$3" > "$1/uevent"
	else printf 'INTERFACE=%s\nIFINDEX=%s\n' "$2" "$3" > "$1/uevent"; fi
	ln -sfn "../../${1#"$d/sys/"}" "$d/sys/class/net/$2"
}
pcifn() { # DIR MODALIAS DRIVER
	attr "$1/modalias" "$2"; ln -sfn "../../../../bus/pci/drivers/$3" "$1/driver"
}
root=$d/sys/devices/pci0000:00/0000:00:03.0
# Intel 82599ES SFP+ (X520-DA2), ixgbe.
for f in 0 1; do
	fn=$root/0000:11:00.$f
	pcifn "$fn" "pci:v00008086d000010FBsv00008086sd0000000Cbc02sc00i00" ixgbe
	nic "$fn/net/enp17s0f$f" "enp17s0f$f" $((2 + f)) 00:1f:f3:af:d3:f0 10000 1 up 0x1803 ""
	ln -sfn ../../../../../virtual/net/bond0 "$fn/net/enp17s0f$f/master"
	attr "$fn/net/enp17s0f$f/bonding_slave/perm_hwaddr" "00:1f:f3:af:d3:f$f"
	attr "$fn/net/enp17s0f$f/bonding_slave/state" "$([ $f = 0 ] && echo active || echo backup)"
done
# Intel I350 port with its link down: speed, duplex and carrier fail with
# EINVAL on a real sysfs, so they are absent here.
fn=$d/sys/devices/pci0000:00/0000:00:1c.0/0000:05:00.0
pcifn "$fn" "pci:v00008086d00001521sv00008086sd00005001bc02sc00i00" igb
nic "$fn/net/eno1" eno1 4 a0:36:9f:12:34:56 "" "" down 0x1002 ""
v=$d/sys/devices/virtual/net
nic "$v/bond0" bond0 5 00:1f:f3:af:d3:f0 10000 1 up 0x1403 bond
attr "$v/bond0/bonding/slaves" "enp17s0f0 enp17s0f1"
attr "$v/bond0/bonding/mode" "active-backup 1"
nic "$v/bond0.100" bond0.100 6 00:1f:f3:af:d3:f0 10000 1 up 0x1003 vlan
ln -sfn ../br100 "$v/bond0.100/master"
nic "$v/br100" br100 7 00:1f:f3:af:d3:f0 "" 1 up 0x1003 bridge
attr "$v/br100/bridge/bridge_id" "8000.001ff3afd3f0"
mkdir -p "$v/br100/brif" && ln -sfn ../../bond0.100/brport "$v/br100/brif/bond0.100"
cp "$(dirname "$0")/bonding/active-backup" "$d/proc/net/bonding/bond0"
printf 'VLAN Dev name\t | VLAN ID\nName-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD\nbond0.100      | 100  | bond0\n' > "$d/proc/net/vlan/config"
printf 'bond0.100  VID: 100\t REORDER_HDR: 1  dev->priv_flags: 1021\nDevice: bond0\n' > "$d/proc/net/vlan/bond0.100"
attr "$d/proc/cmdline" "initrd=initramfs-x86_64 console=ttyS1,115200n8 BOOTIF=01-00-1f-f3-af-d3-f1 ip=dhcp"
