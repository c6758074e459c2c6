package pci

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/hwagent/hwagent/hostpaths"
)

// Identity is what a PCI function says about itself in configuration
// space: IDs and the 24-bit class code.
type Identity struct {
	Vendor, Device uint16
	// SubVendor and SubDevice are valid when HasSubsystem is true.
	SubVendor, SubDevice uint16
	HasSubsystem         bool
	// Class is base class << 16 | subclass << 8 | programming interface.
	Class uint32
}

// ErrModalias is wrapped by ParseModalias errors.
var ErrModalias = errors.New("malformed PCI modalias")

// ParseModalias decodes a PCI function's modalias attribute, which the
// kernel (drivers/pci/pci-sysfs.c, modalias_show) prints as
// "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n".
func ParseModalias(b []byte) (Identity, error) {
	s := strings.TrimSpace(string(b))
	rest, ok := strings.CutPrefix(s, "pci:")
	if !ok {
		return Identity{}, fmt.Errorf("%w: %q has no pci: prefix", ErrModalias, s)
	}
	var vals [7]uint64
	fields := [7]struct {
		tag    string
		digits int
	}{{"v", 8}, {"d", 8}, {"sv", 8}, {"sd", 8}, {"bc", 2}, {"sc", 2}, {"i", 2}}
	for i, f := range fields {
		var ok bool
		if rest, ok = strings.CutPrefix(rest, f.tag); !ok || len(rest) < f.digits {
			return Identity{}, fmt.Errorf("%w: %q: no %s field", ErrModalias, s, f.tag)
		}
		v, err := strconv.ParseUint(rest[:f.digits], 16, 32)
		if err != nil || !isHex(rest[:f.digits]) {
			return Identity{}, fmt.Errorf("%w: %q: bad %s field", ErrModalias, s, f.tag)
		}
		if f.digits == 8 && v > 0xffff {
			return Identity{}, fmt.Errorf("%w: %q: %s field out of range", ErrModalias, s, f.tag)
		}
		vals[i] = v
		rest = rest[f.digits:]
	}
	if rest != "" {
		return Identity{}, fmt.Errorf("%w: %q: trailing %q", ErrModalias, s, rest)
	}
	return Identity{
		Vendor: uint16(vals[0]), Device: uint16(vals[1]),
		SubVendor: uint16(vals[2]), SubDevice: uint16(vals[3]), HasSubsystem: true,
		Class: uint32(vals[4])<<16 | uint32(vals[5])<<8 | uint32(vals[6]),
	}, nil
}

// isHex is true for upper- or lower-case hex digits only (ParseUint would
// also take a sign or underscores in some forms).
func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// ReadIdentity reads the identity of the PCI function whose sysfs directory
// is dir: from modalias, or from the vendor, device, class and
// subsystem_vendor/subsystem_device attributes when modalias is missing or
// malformed (the subsystem is then optional).
func ReadIdentity(p *hostpaths.Paths, dir string) (Identity, error) {
	if b, err := p.ReadFile(filepath.Join(dir, "modalias")); err == nil {
		if id, err := ParseModalias(b); err == nil {
			return id, nil
		}
	}
	var id Identity
	vendor, err := readHex(p, dir, "vendor", 0xffff)
	if err != nil {
		return Identity{}, err
	}
	device, err := readHex(p, dir, "device", 0xffff)
	if err != nil {
		return Identity{}, err
	}
	class, err := readHex(p, dir, "class", 0xffffff)
	if err != nil {
		return Identity{}, err
	}
	id.Vendor, id.Device, id.Class = uint16(vendor), uint16(device), uint32(class)
	sv, err1 := readHex(p, dir, "subsystem_vendor", 0xffff)
	sd, err2 := readHex(p, dir, "subsystem_device", 0xffff)
	if err1 == nil && err2 == nil {
		id.SubVendor, id.SubDevice, id.HasSubsystem = uint16(sv), uint16(sd), true
	}
	return id, nil
}

// readHex reads a "0x8086"-style attribute.
func readHex(p *hostpaths.Paths, dir, name string, max uint64) (uint64, error) {
	path := filepath.Join(dir, name)
	s, err := p.ReadString(path)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 32)
	if err != nil || v > max {
		return 0, fmt.Errorf("%s: %q is not a hex value up to %#x", path, s, max)
	}
	return v, nil
}

// IsAddress reports whether name is a PCI function address
// (domain:bus:device.function, "0000:3b:00.0"; VMD domains have 5 digits).
func IsAddress(name string) bool {
	dom, rest, ok := strings.Cut(name, ":")
	if !ok || len(dom) < 4 || !isHex(dom) || len(rest) != 7 || rest[2] != ':' || rest[5] != '.' {
		return false
	}
	return isHex(rest[:2]) && isHex(rest[3:5]) && rest[6] >= '0' && rest[6] <= '7'
}

// ResolveLink returns the directory a sysfs symlink points at, inside the
// same host tree (sysfs links are relative: "../../devices/pci0000:00/...").
// A path that is not a symlink is returned unchanged, so trees copied
// without links still work.
func ResolveLink(p *hostpaths.Paths, path string) (string, error) {
	target, err := p.Readlink(path)
	if err != nil {
		// readlink(2) says EINVAL for a path that is not a symlink.
		var pe *fs.PathError
		if errors.As(err, &pe) && errors.Is(pe.Err, syscall.EINVAL) {
			return path, nil
		}
		return "", err
	}
	if filepath.IsAbs(target) {
		// An absolute link names a host path; keep it inside the tree.
		if t, rel, ok := hostpaths.New("/", nil).Locate(target); ok {
			return p.Path(t, rel), nil
		}
		return "", fmt.Errorf("%s: link to %s outside the host trees", path, target)
	}
	return filepath.Join(filepath.Dir(path), target), nil
}
