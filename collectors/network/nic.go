package network

import (
	"errors"
	"io/fs"
	"math"
	"net"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/pci"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// ARPHRD_LOOPBACK from include/uapi/linux/if_arp.h.
const arphrdLoopback = 772

// sysNIC is one interface as sysfs describes it.
type sysNIC struct {
	nic inventory.NIC
	// dir is the interface's canonical directory
	// (/sys/devices/.../net/NAME).
	dir     string
	ifindex int
	// mac is the current address as sysfs shows it, for the netlink
	// match (nil for devices without one, such as tun).
	mac net.HardwareAddr
	// loopback interfaces are left out.
	loopback bool
}

// reader reads one host tree, turning unexpected errors into warnings.
type reader struct {
	p *hostpaths.Paths
	w *collector.Warnings
	// vlans is /proc/net/vlan/config, nil without 8021q.
	vlans map[string]VLAN
}

// readString reads an attribute; a missing or unsupported one is "".
func (r reader) readString(path string) string {
	s, err := r.p.ReadString(path)
	if err != nil {
		if !hostpaths.Ignorable(err) {
			r.w.Add(err)
		}
		return ""
	}
	return s
}

// link returns the base name of a symlink's target, or "".
func (r reader) link(path string) string {
	t, err := r.p.Readlink(path)
	if err != nil {
		return ""
	}
	return filepath.Base(strings.TrimRight(t, "/"))
}

// readNIC reads /sys/class/net/NAME.
func (r reader) readNIC(name string) sysNIC {
	classPath := r.p.Sys("class", "net", name)
	dir, err := pci.ResolveLink(r.p, classPath)
	if err != nil {
		r.w.Addf("interface %s: %v", name, err)
		dir = classPath
	}
	s := sysNIC{dir: dir, nic: inventory.NIC{Name: name}}
	at := func(elem ...string) string { return filepath.Join(append([]string{dir}, elem...)...) }
	// Every attribute read below treats "not there" as "not reported": a
	// directory that cannot be read would leave the NIC without its MAC
	// (and the machine without that identity key) under an ok status.
	if fi, err := r.p.Stat(dir); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		}
		r.w.Addf("interface %s: its directory %s cannot be read: %v", name, r.p.HostPath(dir), unwrapPath(err))
		return s
	}

	if t, err := strconv.Atoi(r.readString(at("type"))); err == nil && t == arphrdLoopback {
		s.loopback = true
		return s
	}
	uevent := ParseUevent([]byte(r.readString(at("uevent"))))
	s.ifindex, _ = strconv.Atoi(r.readString(at("ifindex")))
	if s.ifindex == 0 {
		s.ifindex, _ = strconv.Atoi(uevent["IFINDEX"])
	}
	if mac, err := net.ParseMAC(r.readString(at("address"))); err == nil {
		s.mac = mac // all zeros too: netlink reports the same bytes
		if !isZero(mac) {
			s.nic.MAC = mac.String()
		}
	}

	deviceDir := r.deviceDir(dir)
	s.nic.Kind = r.kind(name, dir, deviceDir, uevent["DEVTYPE"])
	if deviceDir != "" {
		s.nic.Driver = r.link(filepath.Join(deviceDir, "driver"))
		s.nic.PCI = r.pciRef(deviceDir)
	}

	// Attributes whose read fails while the link is down (EINVAL from
	// speed and duplex, carrier) or that the driver does not report are
	// simply absent. These three go to the driver under the RTNL lock (the
	// kernel restarts the read while another holds it): each is bounded on
	// its own, so that a driver that never lets go costs them, not the
	// interface's MAC.
	driver := r
	driver.p = r.p.Bounded()
	if v, err := driver.p.ReadInt(at("speed")); err == nil && v > 0 && v <= math.MaxUint32 {
		s.nic.SpeedMbps = uint32(v)
	}
	if d, err := driver.p.ReadString(at("duplex")); err == nil && (d == "full" || d == "half") {
		s.nic.Duplex = d
	}
	if c, err := driver.p.ReadString(at("carrier")); err == nil {
		s.nic.Carrier = c == "1"
	}
	s.nic.OperState = r.readString(at("operstate"))
	if f, err := strconv.ParseUint(strings.TrimPrefix(r.readString(at("flags")), "0x"), 16, 32); err == nil {
		s.nic.AdminUp = f&1 != 0 // IFF_UP
	}
	if mtu, err := strconv.ParseUint(r.readString(at("mtu")), 10, 32); err == nil {
		s.nic.MTU = uint32(mtu)
	}
	s.nic.Master = r.link(at("master"))
	switch s.nic.Kind {
	case inventory.NICBond:
		s.nic.Members = strings.Fields(driver.readString(at("bonding", "slaves"))) // RTNL, as speed
	case inventory.NICBridge:
		if ents, err := r.p.ReadDir(at("brif")); err == nil {
			for _, e := range ents {
				s.nic.Members = append(s.nic.Members, e.Name())
			}
		} else if !hostpaths.Ignorable(err) {
			r.w.Add(err)
		}
	case inventory.NICVLAN:
		if v, ok := r.vlans[name]; ok {
			s.nic.VLANID, s.nic.Parent = v.ID, v.Parent
		}
	}
	if mac, err := net.ParseMAC(r.readString(at("bonding_slave", "perm_hwaddr"))); err == nil && !isZero(mac) {
		s.nic.PermanentMAC = mac.String()
	}
	return s
}

// deviceDir returns the directory of the device behind the interface
// (the parent of its net/ directory), or "" for a virtual interface.
func (r reader) deviceDir(dir string) string {
	sys := r.p.Sys()
	if strings.HasPrefix(dir, filepath.Join(sys, "devices", "virtual")+string(filepath.Separator)) {
		return ""
	}
	if filepath.Base(filepath.Dir(dir)) == "net" && strings.HasPrefix(dir, filepath.Join(sys, "devices")+string(filepath.Separator)) {
		return filepath.Dir(filepath.Dir(dir))
	}
	// A tree copied without the class symlink: follow the device link.
	d, err := pci.ResolveLink(r.p, filepath.Join(dir, "device"))
	if err != nil || d == filepath.Join(dir, "device") {
		return ""
	}
	return d
}

// kind classifies the interface.
func (r reader) kind(name, dir, deviceDir, devtype string) string {
	isDir := func(elem ...string) bool {
		fi, err := r.p.Stat(filepath.Join(append([]string{dir}, elem...)...))
		return err == nil && fi.IsDir()
	}
	switch {
	case devtype == "bond" || isDir("bonding"):
		return inventory.NICBond
	case devtype == "bridge" || isDir("bridge"):
		return inventory.NICBridge
	case devtype == "vlan" || r.isVLAN(name):
		return inventory.NICVLAN
	case deviceDir != "":
		return inventory.NICPhysical
	}
	return inventory.NICVirtual
}

func (r reader) isVLAN(name string) bool {
	if _, ok := r.vlans[name]; ok {
		return true
	}
	if r.vlans == nil {
		return false
	}
	_, err := r.p.Stat(r.p.Proc("net", "vlan", name))
	return err == nil
}

// isVirtioName is `^virtio[0-9]+$` ("virtio3"), by hand: no regexp code
// on the boot path.
func isVirtioName(s string) bool {
	rest, ok := strings.CutPrefix(s, "virtio")
	if !ok || rest == "" {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	return true
}

// pciRef identifies the PCI function behind a device: the device itself,
// or, for a virtio device (virtioN), its parent, the virtio PCI function.
func (r reader) pciRef(deviceDir string) *inventory.PCIRef {
	fn := deviceDir
	if isVirtioName(filepath.Base(fn)) {
		fn = filepath.Dir(fn)
	}
	addr := filepath.Base(fn)
	if !pci.IsAddress(addr) {
		return nil
	}
	ref := &inventory.PCIRef{Address: addr}
	id, err := pci.ReadIdentity(r.p, fn)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			r.w.Addf("PCI function %s: %v", addr, err)
		}
		return ref
	}
	ref.VendorID, ref.DeviceID = hex4(id.Vendor), hex4(id.Device)
	if id.HasSubsystem && (id.SubVendor != 0 || id.SubDevice != 0) {
		ref.SubsystemVendorID, ref.SubsystemDeviceID = hex4(id.SubVendor), hex4(id.SubDevice)
	}
	return ref
}

func hex4(v uint16) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf]})
}

func isZero(mac net.HardwareAddr) bool {
	for _, b := range mac {
		if b != 0 {
			return false
		}
	}
	return true
}
