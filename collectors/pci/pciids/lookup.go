package pciids

import (
	"bytes"
	"maps"
	"slices"
)

// ID identifies a PCI function by its four configuration-space IDs.
type ID struct {
	Vendor, Device, SubVendor, SubDevice uint16
}

// Names are the database's names for an ID. A name the database does not
// have is empty.
type Names struct {
	// Vendor names ID.Vendor ("Intel Corporation").
	Vendor string
	// Device names ID.Device of that vendor ("I350 Gigabit Network Connection").
	Device string
	// Subsystem names the (SubVendor, SubDevice) pair listed under that
	// device ("Ethernet Server Adapter I350-T2").
	Subsystem string
}

type devKey struct{ vendor, device uint16 }

type subKey struct{ vendor, device, subVendor, subDevice uint16 }

// wantedVendor is what Lookup looks for in one vendor's block.
type wantedVendor struct {
	// devices maps a device ID to the subsystems wanted under it.
	devices map[uint16][]subKey
	// pending counts the names of this vendor still to find (vendor,
	// devices and subsystems); at zero the rest of its block is skipped.
	pending int
	seen    bool // its block was scanned (first block wins)
}

// Lookup returns the names data holds for each wanted ID that has at least
// one name. data is the content of a pci.ids file; malformed lines are
// ignored. When a device or subsystem is listed twice under its vendor,
// the first listing wins.
//
// pci.ids lists its vendors in ascending order of ID (pci-ids.ucw.cz
// exports it sorted), so Lookup finds the wanted vendors' lines by
// bisection, as look(1) does words in a sorted list, and reads only their
// blocks line by line: some tens of KiB of the 1.4 MB, where a reading
// from the start goes through everything up to the last vendor wanted
// (Intel's block starts at 950 KB), and the pages of a mapped file never
// read are never brought in. In a file so ordered the answer is the one a
// reading of every line gives (TestLookupFullDatabase, FuzzLookup). A file
// out of order still gets names from its own lines, never a hang: once the
// bisection has read twice the file's size, Lookup reads the file from its
// start instead.
func Lookup(data []byte, wanted []ID) map[ID]Names {
	return lookup(data, wanted, linearBelow, 2*len(data)+1<<16)
}

// linearBelow is the size of a range that bisection reads line by line.
const linearBelow = 2048

// lookup is Lookup with the size of a range read line by line and the
// bytes bisection may read before it gives up.
func lookup(data []byte, wanted []ID, linear, budget int) map[ID]Names {
	vendors := wantedVendors(wanted)
	vendorNames := make(map[uint16]string, len(vendors))
	deviceNames := make(map[devKey]string, len(wanted))
	subNames := make(map[subKey]string, len(wanted))
	var ids idSets
	for _, id := range wanted {
		ids.vendors.add(id.Vendor)
		ids.devices.add(id.Device)
	}

	targets := make([]int, 0, len(vendors))
	for _, v := range slices.Sorted(maps.Keys(vendors)) {
		targets = append(targets, int(v))
	}
	c := &cursor{data: data, linear: linear, budget: budget}
	c.findVendors(0, len(data), targets, func(id, at int) {
		if c.budget < 0 {
			return
		}
		// The vendor's block, read from its line as the whole file would be.
		one := map[uint16]*wantedVendor{uint16(id): vendors[uint16(id)]}
		c.budget -= scan(data[at:], &ids, one, vendorNames, deviceNames, subNames)
	})
	if c.budget < 0 {
		// Not a pci.ids in order: read it from the start.
		clear(vendorNames)
		clear(deviceNames)
		clear(subNames)
		scan(data, &ids, wantedVendors(wanted), vendorNames, deviceNames, subNames)
	}

	out := make(map[ID]Names, len(wanted))
	for _, id := range wanted {
		n := Names{
			Vendor:    vendorNames[id.Vendor],
			Device:    deviceNames[devKey{id.Vendor, id.Device}],
			Subsystem: subNames[subKey{id.Vendor, id.Device, id.SubVendor, id.SubDevice}],
		}
		if n != (Names{}) {
			out[id] = n
		}
	}
	return out
}

// wantedVendors groups the wanted IDs by vendor.
func wantedVendors(wanted []ID) map[uint16]*wantedVendor {
	vendors := make(map[uint16]*wantedVendor)
	for _, id := range wanted {
		v := vendors[id.Vendor]
		if v == nil {
			v = &wantedVendor{devices: map[uint16][]subKey{}, pending: 1}
			vendors[id.Vendor] = v
		}
		subs, ok := v.devices[id.Device]
		if !ok {
			v.pending++
		}
		k := subKey{id.Vendor, id.Device, id.SubVendor, id.SubDevice}
		if !containsSub(subs, k) {
			subs = append(subs, k)
			v.pending++
		}
		v.devices[id.Device] = subs
	}
	return vendors
}

// idSet is a set of 16-bit IDs: pci.ids has some 2,600 vendor lines and
// 30,000 device lines, nearly all of IDs nobody asked for; a bit test
// turns those away before any hashing or name trimming.
type idSet [1 << 16 / 64]uint64

func (s *idSet) add(id uint16)      { s[id>>6] |= 1 << (id & 63) }
func (s *idSet) has(id uint16) bool { return s[id>>6]&(1<<(id&63)) != 0 }

// idSets are the vendor and device IDs wanted (a device ID of any vendor).
type idSets struct{ vendors, devices idSet }

func containsSub(subs []subKey, k subKey) bool {
	for _, s := range subs {
		if s == k {
			return true
		}
	}
	return false
}

// scan reads data line by line for the wanted vendors' names, until it
// has them all or the vendors end, and returns how many bytes it read.
func scan(data []byte, ids *idSets, vendors map[uint16]*wantedVendor, vendorNames map[uint16]string, deviceNames map[devKey]string, subNames map[subKey]string) int {
	size := len(data)
	remaining := len(vendors)
	var cur *wantedVendor // block of a wanted vendor being scanned, or nil
	var curVendor uint16
	var curSubs []subKey // subsystems wanted under the current device line
	curDevice := -1      // current device line's ID when wanted, else -1

	// finish ends the current vendor's block.
	finish := func() {
		if cur != nil {
			cur = nil
			remaining--
		}
	}
	for len(data) > 0 && remaining > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if line[0] != '\t' {
			// A vendor line, or the start of the class list ("C 00  ..."),
			// which ends the vendor section.
			finish()
			if len(line) >= 2 && line[0] == 'C' && line[1] == ' ' {
				return size - len(data)
			}
			id, ok := parseEntryID(line)
			if !ok || !ids.vendors.has(id) {
				continue
			}
			if v := vendors[id]; v != nil && !v.seen {
				v.seen = true
				cur, curVendor, curDevice, curSubs = v, id, -1, nil
				vendorNames[id] = string(trimName(line[4:]))
				cur.pending--
				if cur.pending == 0 {
					finish()
				}
			}
			continue
		}
		if cur == nil {
			continue // a device or subsystem of a vendor nobody asked for
		}
		if len(line) < 2 || line[1] != '\t' {
			// A device line.
			curDevice, curSubs = -1, nil
			id, ok := parseEntryID(line[1:])
			if !ok || !ids.devices.has(id) {
				continue
			}
			subs, wantedDev := cur.devices[id]
			if !wantedDev {
				continue
			}
			curDevice, curSubs = int(id), subs
			k := devKey{curVendor, id}
			if _, done := deviceNames[k]; !done {
				deviceNames[k] = string(trimName(line[5:]))
				if cur.pending--; cur.pending == 0 {
					finish()
				}
			}
			continue
		}
		// A subsystem line under the current device.
		if curDevice < 0 {
			continue
		}
		sv, sd, name, ok := parseSubsystem(line[2:])
		if !ok {
			continue
		}
		k := subKey{curVendor, uint16(curDevice), sv, sd}
		if !containsSub(curSubs, k) {
			continue
		}
		if _, done := subNames[k]; !done {
			subNames[k] = string(name)
			if cur.pending--; cur.pending == 0 {
				finish()
			}
		}
	}
	return size - len(data)
}

// parseEntry parses "XXXX  name" (a vendor, or a device after its tab).
func parseEntry(b []byte) (uint16, []byte, bool) {
	id, ok := parseEntryID(b)
	if !ok {
		return 0, nil, false
	}
	return id, trimName(b[4:]), true
}

// parseEntryID parses the ID of "XXXX  name", leaving the name: most
// entries are of IDs nobody asked for.
func parseEntryID(b []byte) (uint16, bool) {
	if len(b) < 4 {
		return 0, false
	}
	id, ok := parseHex4(b[:4])
	if !ok || (len(b) > 4 && b[4] != ' ' && b[4] != '\t') {
		return 0, false
	}
	return id, true
}

// parseSubsystem parses "SSSS DDDD  name" after the two tabs.
func parseSubsystem(b []byte) (uint16, uint16, []byte, bool) {
	if len(b) < 9 || b[4] != ' ' {
		return 0, 0, nil, false
	}
	sv, ok1 := parseHex4(b[:4])
	sd, ok2 := parseHex4(b[5:9])
	if !ok1 || !ok2 || (len(b) > 9 && b[9] != ' ' && b[9] != '\t') {
		return 0, 0, nil, false
	}
	return sv, sd, trimName(b[9:]), true
}

// trimName drops the separating spaces and a trailing CR or blanks
// (bytes.Trim with the same cutset, without building it at every line).
func trimName(b []byte) []byte {
	blank := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }
	for len(b) > 0 && blank(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && blank(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func parseHex4(b []byte) (uint16, bool) {
	var v uint16
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(d)
	}
	return v, true
}
