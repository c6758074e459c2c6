package pciids

import (
	"bytes"
	"maps"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hwagent/hwagent/internal/lab"
)

// excerpt is a real excerpt of Debian's pci.ids 2023.04.10: its header, the
// first twelve vendors whole, the blocks of the devices found in the testdata
// trees and the class list (see testdata/README.md).
const excerpt = "testdata/pci.ids"

// debianPCIIDs is where Debian's pci.ids package installs the full database.
const debianPCIIDs = lab.DebianPCIIDs

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestLookup(t *testing.T) {
	t.Parallel()
	data := readFile(t, excerpt)
	tests := []struct {
		name string
		id   ID
		want Names
		ok   bool
	}{
		{"dell r610 bnx2 lom", ID{0x14e4, 0x1639, 0x1028, 0x0236},
			Names{"Broadcom Inc. and subsidiaries", "NetXtreme II BCM5709 Gigabit Ethernet", "PowerEdge R610 BCM5709 Gigabit Ethernet"}, true},
		{"perc 6/i", ID{0x1000, 0x0060, 0x1028, 0x1f0c},
			Names{"Broadcom / LSI", "MegaRAID SAS 1078", "PERC 6/i Integrated RAID Controller"}, true},
		{"tesla p100 without subsystem entry", ID{0x10de, 0x15f8, 0x10de, 0x118f},
			Names{"NVIDIA Corporation", "GP100GL [Tesla P100 PCIe 16GB]", ""}, true},
		{"samsung nvme, subsystem not listed among its 19", ID{0x144d, 0xa80a, 0x144d, 0xa801},
			Names{"Samsung Electronics Co Ltd", "NVMe SSD Controller PM9A1/PM9A3/980PRO", ""}, true},
		{"device after a comment inside the vendor block", ID{0x0010, 0x8139, 0, 0},
			Names{"Allied Telesis, Inc (Wrong ID)", "AT-2500TX V3 Ethernet", ""}, true},
		{"igb with no subsystem (ffff)", ID{0x8086, 0x1521, 0xffff, 0x0000},
			Names{"Intel Corporation", "I350 Gigabit Network Connection", ""}, true},
		{"virtio net", ID{0x1af4, 0x1041, 0x1af4, 0x1041},
			Names{"Red Hat, Inc.", "Virtio 1.0 network device", ""}, true},
		{"unknown device of a known vendor", ID{0x8086, 0xfffe, 0, 0},
			Names{Vendor: "Intel Corporation"}, true},
		{"unknown vendor", ID{0xfffe, 0x0001, 0, 0}, Names{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Lookup(data, []ID{tt.id})[tt.id]
			if ok != tt.ok {
				t.Fatalf("found = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Lookup(%04x:%04x %04x:%04x) (-want +got):\n%s", tt.id.Vendor, tt.id.Device, tt.id.SubVendor, tt.id.SubDevice, diff)
			}
		})
	}
}

// TestLookupMany asks for every ID of the testdata trees at once, plus
// duplicates, and compares with the reference parser.
func TestLookupMany(t *testing.T) {
	t.Parallel()
	data := readFile(t, excerpt)
	wanted := append(testdataIDs(), testdataIDs()[:3]...)
	got := Lookup(data, wanted)
	if diff := cmp.Diff(referenceLookup(data, wanted), got); diff != "" {
		t.Errorf("Lookup vs reference (-want +got):\n%s", diff)
	}
	if len(got) != len(testdataIDs()) {
		t.Errorf("found names for %d IDs, want all %d", len(got), len(testdataIDs()))
	}
}

// TestLookupFullDatabase compares with the reference on Debian's complete
// pci.ids when the pci.ids package is installed.
func TestLookupFullDatabase(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.PCIIDs)
	data, err := os.ReadFile(lab.DebianPCIIDs)
	if err != nil {
		t.Fatal(err)
	}
	wanted := testdataIDs()
	if diff := cmp.Diff(referenceLookup(data, wanted), Lookup(data, wanted)); diff != "" {
		t.Errorf("Lookup vs reference (-want +got):\n%s", diff)
	}
}

func TestLookupEdgeCases(t *testing.T) {
	t.Parallel()
	id := ID{0x1234, 0x5678, 0xabcd, 0xef01}
	tests := []struct {
		name string
		data string
		want map[ID]Names
	}{
		{"empty", "", map[ID]Names{}},
		{"crlf and no final newline", "1234  Acme\r\n\t5678  Widget\r\n\t\tabcd ef01  Widget Pro\r",
			map[ID]Names{id: {"Acme", "Widget", "Widget Pro"}}},
		{"upper-case hex", "1234  Acme\n\t5678  Widget\n\t\tABCD EF01  Widget Pro\n",
			map[ID]Names{id: {"Acme", "Widget", "Widget Pro"}}},
		{"first listing wins", "1234  Acme\n\t5678  Widget\n\t5678  Other\n1234  Again\n",
			map[ID]Names{id: {"Acme", "Widget", ""}}},
		{"class list ends the vendors", "C 12  Processing accelerators\n1234  Acme\n", map[ID]Names{}},
		{"subsystem of another device", "1234  Acme\n\t5670  Gadget\n\t\tabcd ef01  Gadget Pro\n",
			map[ID]Names{id: {"Acme", "", ""}}},
		{"truncated lines", "1234\n\t56\n\t\tabcd\n", map[ID]Names{id: {"", "", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Lookup([]byte(tt.data), []ID{id})
			// An entry with all names empty is not returned.
			for k, v := range tt.want {
				if v == (Names{}) {
					delete(tt.want, k)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzLookup(f *testing.F) {
	// Seeds are the excerpt cut into pieces of about 2 KB at line ends:
	// the fuzzer mutates small inputs much faster than the whole file.
	data := readFile(f, excerpt)
	for len(data) > 0 {
		n := min(len(data), 2048)
		if i := bytes.IndexByte(data[n:], '\n'); i >= 0 {
			n += i + 1
		} else {
			n = len(data)
		}
		f.Add(data[:n])
		data = data[n:]
	}
	f.Add([]byte("1234  Acme\r\n\t5678  Widget\n\t\tabcd ef01  Widget Pro\n#c\n\t\t\n\t\n"))
	f.Add([]byte("1234  Acme\n\t5678  Widget\n1000  Earlier\nC 00  Class\n1234  After the classes\n"))
	wanted := append(testdataIDs(), ID{0x1234, 0x5678, 0xabcd, 0xef01})
	f.Fuzz(func(t *testing.T, b []byte) {
		want := referenceLookup(b, wanted)
		// Bisection down to single lines, bisection as Lookup does it,
		// and the reading from the start it falls back to.
		for _, c := range []struct{ linear, budget int }{{16, 1 << 30}, {linearBelow, 2*len(b) + 1<<16}, {16, 0}} {
			got := lookup(b, wanted, c.linear, c.budget)
			if c.budget == 0 || ordered(b) {
				if !maps.Equal(got, want) {
					t.Fatalf("lookup (linear %d, budget %d) vs reference (-want +got):\n%s", c.linear, c.budget, cmp.Diff(want, got))
				}
				continue
			}
			// Out of order: names still come from the file's own lines.
			names := namesIn(b)
			for id, n := range got {
				for _, s := range []string{n.Vendor, n.Device, n.Subsystem} {
					if s != "" && !names[s] {
						t.Fatalf("%04x:%04x: name %q is on no line of the file", id.Vendor, id.Device, s)
					}
				}
			}
		}
	})
}

// TestLookupFullDatabaseEveryID looks up every vendor and device of
// Debian's pci.ids (some 2,300 and 17,600), with the first subsystem of
// every device, at once and one vendor at a time, and compares with the
// reference.
func TestLookupFullDatabaseEveryID(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.PCIIDs)
	data := readFile(t, debianPCIIDs)
	if !ordered(data) {
		t.Fatal("Debian's pci.ids lists its vendors out of order")
	}
	var all []ID
	byVendor := map[uint16][]ID{}
	var vendor uint16
	var dev *ID
	for _, line := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("C ")) {
			break
		}
		switch {
		case len(line) == 0 || line[0] == '#':
		case line[0] != '\t':
			vendor, _ = parseEntryID(line)
			all = append(all, ID{vendor, 0xffff, 0, 0}) // vendors without devices too
			dev = nil
		case len(line) > 1 && line[1] != '\t':
			d, _ := parseEntryID(line[1:])
			all = append(all, ID{vendor, d, 0, 0})
			dev = &all[len(all)-1]
		case dev != nil && dev.SubVendor == 0:
			dev.SubVendor, dev.SubDevice, _, _ = parseSubsystem(line[2:])
		}
	}
	for _, id := range all {
		byVendor[id.Vendor] = append(byVendor[id.Vendor], id)
	}
	if len(all) < 19000 || len(byVendor) < 2000 {
		t.Fatalf("read %d devices of %d vendors from %s: not the whole database", len(all), len(byVendor), debianPCIIDs)
	}
	want := referenceLookup(data, all)
	if diff := cmp.Diff(want, Lookup(data, all)); diff != "" {
		t.Errorf("every ID at once (-want +got):\n%s", diff)
	}
	for v, ids := range byVendor {
		got := Lookup(data, ids)
		for _, id := range ids {
			if got[id] != want[id] {
				t.Errorf("%04x:%04x looked up with its vendor's devices: %+v, want %+v", v, id.Device, got[id], want[id])
			}
		}
	}
}

// ordered says whether b lists its vendors as pci.ids does: in ascending
// order of ID, none twice, and none after the class list starts.
func ordered(b []byte) bool {
	last, classes := -1, false
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(line) == 0 || line[0] == '#' || line[0] == '\t' {
			continue
		}
		if len(line) >= 2 && line[0] == 'C' && line[1] == ' ' {
			classes = true
			continue
		}
		id, ok := parseEntryID(line)
		if !ok {
			continue
		}
		if classes || int(id) <= last {
			return false
		}
		last = int(id)
	}
	return true
}

// namesIn returns every name b's lines give at any level.
func namesIn(b []byte) map[string]bool {
	names := map[string]bool{}
	for _, line := range bytes.Split(b, []byte("\n")) {
		for range 3 {
			if _, name, ok := parseEntry(line); ok {
				names[string(name)] = true
			}
			if _, _, name, ok := parseSubsystem(line); ok {
				names[string(name)] = true
			}
			if len(line) == 0 || line[0] != '\t' {
				break
			}
			line = line[1:]
		}
	}
	return names
}

// referenceLookup is the obvious, slow implementation: parse every line of
// the vendor section into maps (first listing wins, only the first block of
// a vendor counts), then answer.
func referenceLookup(data []byte, wanted []ID) map[ID]Names {
	vendors := map[uint16]string{}
	devices := map[devKey]string{}
	subs := map[subKey]string{}
	seenVendor := map[uint16]bool{}
	inBlock, devOK := false, false
	var v, d uint16
	for _, line := range bytes.Split(data, []byte("\n")) {
		switch {
		case len(line) == 0 || line[0] == '#':
		case line[0] != '\t':
			if len(line) >= 2 && line[0] == 'C' && line[1] == ' ' {
				return answer(wanted, vendors, devices, subs)
			}
			id, name, ok := parseEntry(line)
			inBlock, devOK = ok && !seenVendor[id], false
			if inBlock {
				v, seenVendor[id], vendors[id] = id, true, string(name)
			}
		case !inBlock:
		case len(line) < 2 || line[1] != '\t':
			id, name, ok := parseEntry(line[1:])
			d, devOK = id, ok
			if _, dup := devices[devKey{v, id}]; ok && !dup {
				devices[devKey{v, id}] = string(name)
			}
		case devOK:
			sv, sd, name, ok := parseSubsystem(line[2:])
			k := subKey{v, d, sv, sd}
			if _, dup := subs[k]; ok && !dup {
				subs[k] = string(name)
			}
		}
	}
	return answer(wanted, vendors, devices, subs)
}

func answer(wanted []ID, vendors map[uint16]string, devices map[devKey]string, subs map[subKey]string) map[ID]Names {
	out := map[ID]Names{}
	for _, id := range wanted {
		n := Names{vendors[id.Vendor], devices[devKey{id.Vendor, id.Device}], subs[subKey{id.Vendor, id.Device, id.SubVendor, id.SubDevice}]}
		if n != (Names{}) {
			out[id] = n
		}
	}
	return out
}

// testdataIDs returns the IDs in testdata/ids.txt: every (vendor, device,
// subvendor, subdevice) of the PCI functions in the collectors' testdata
// trees (real machines), one "vvvv dddd ssss ssss" a line.
func testdataIDs() []ID {
	data, err := os.ReadFile("testdata/ids.txt")
	if err != nil {
		panic(err)
	}
	var out []ID
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		f := bytes.Fields(line)
		var id ID
		id.Vendor, _ = parseHex4(f[0])
		id.Device, _ = parseHex4(f[1])
		id.SubVendor, _ = parseHex4(f[2])
		id.SubDevice, _ = parseHex4(f[3])
		out = append(out, id)
	}
	return out
}
