package pciids

import (
	"os"
	"testing"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/jaypipes/pcidb"
)

// BenchmarkLookup looks the IDs of the Dell PowerEdge R610 testdata tree
// (82 functions, 23 distinct IDs of six vendors) up in Debian's full pci.ids.
func BenchmarkLookup(b *testing.B) { benchR610(b, Lookup) }

// BenchmarkLookupFromStart is the same look-up read from the file's start
// to the last vendor wanted, as Lookup did before it bisected (and still
// does for a file out of order): the two side by side in one run.
func BenchmarkLookupFromStart(b *testing.B) {
	benchR610(b, func(data []byte, wanted []ID) map[ID]Names { return lookup(data, wanted, linearBelow, 0) })
}

func benchR610(b *testing.B, lookup func([]byte, []ID) map[ID]Names) {
	lab.Need(b, lab.PCIIDs)
	data, err := os.ReadFile(debianPCIIDs)
	if err != nil {
		b.Fatal(err)
	}
	wanted := r610IDs()
	b.ReportAllocs()
	for b.Loop() {
		if n := lookup(data, wanted); len(n) != len(wanted) {
			b.Fatalf("found %d of %d", len(n), len(wanted))
		}
	}
}

// BenchmarkLookupAllTestdata asks for every ID of every testdata tree.
func BenchmarkLookupAllTestdata(b *testing.B) {
	lab.Need(b, lab.PCIIDs)
	data, err := os.ReadFile(debianPCIIDs)
	if err != nil {
		b.Fatal(err)
	}
	wanted := testdataIDs()
	b.ReportAllocs()
	for b.Loop() {
		Lookup(data, wanted)
	}
}

// BenchmarkPCIDB is what ghw does instead: jaypipes/pcidb parses the whole
// file into maps, then names are map look-ups.
func BenchmarkPCIDB(b *testing.B) {
	lab.Need(b, lab.PCIIDs)
	wanted := r610IDs()
	b.ReportAllocs()
	for b.Loop() {
		db, err := pcidb.New(pcidb.WithPath(debianPCIIDs))
		if err != nil {
			b.Fatal(err)
		}
		for _, id := range wanted {
			_ = db.Vendors[hex4(id.Vendor)]
			_ = db.Products[hex4(id.Vendor)+hex4(id.Device)]
		}
	}
}

func hex4(v uint16) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf]})
}

// r610IDs are the distinct IDs of the R610 tree's functions, read from its
// modalias files.
func r610IDs() []ID {
	const dir = "../testdata/ghw-dell-poweredge-r610/sys/bus/pci/devices"
	ents, err := os.ReadDir(dir)
	if err != nil {
		panic(err)
	}
	seen := map[ID]bool{}
	var out []ID
	for _, e := range ents {
		b, err := os.ReadFile(dir + "/" + e.Name() + "/modalias")
		if err != nil {
			panic(err)
		}
		// pci:v00008086d00003403sv00001028sd00000236bc06sc00i00
		var id ID
		id.Vendor, _ = parseHex4(b[9:13])
		id.Device, _ = parseHex4(b[18:22])
		id.SubVendor, _ = parseHex4(b[28:32])
		id.SubDevice, _ = parseHex4(b[37:41])
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
