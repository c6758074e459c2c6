package smbios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/internal/testutil"
)

// fixtures are the real machines in testdata: NAME.bin is a `dmidecode
// --dump-bin` file and NAME.dmidecode.txt what dmidecode printed for it
// (copied from /work/shared/fixtures/smbios, u-root's dmidecode testdata).
var fixtures = []string{
	"Asus-UX307LA",
	"GigaByte-X399",
	"Gigabyte-GA-MA74GMT-S2",
	"Lenovo-ThinkPad-T480",
	"Lenovo-ThinkPad-W510",
	"MSI-MS-7816",
	"SuperMicro-X9DBL",
	"Synology-RS3614xsp",
	"VMWare",
}

// readFixture returns the entry point and table of a fixture.
func readFixture(t testing.TB, name string) (entry, table []byte) {
	t.Helper()
	return testutil.ReadDumpBin(t, filepath.Join("testdata", name+".bin"))
}

// parseFixture parses a fixture and fails the test on error.
func parseFixture(t testing.TB, name string) *Table {
	t.Helper()
	entry, table := readFixture(t, name)
	tb, err := Parse(entry, table)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	if err := tb.Problem(); err != nil {
		t.Fatalf("Parse(%s): problem: %v", name, err)
	}
	return tb
}

// dmiBlock is one structure of dmidecode's text output.
type dmiBlock struct {
	Handle string
	Type   int
	Name   string
	Attrs  map[string]string
	Lists  map[string][]string
}

// parseDmidecodeText is a small, independent parser of dmidecode's text:
// blocks start with "Handle 0x0000, DMI type 0, 26 bytes", the next line
// names the structure, attributes are "\tKey: Value" and list attributes
// are "\tKey:" followed by "\t\tItem" lines; "\t\tKey: Value" lines
// outside a list are sub-attributes, kept with the attributes. Values are
// trimmed.
func parseDmidecodeText(t testing.TB, name string) []dmiBlock {
	t.Helper()
	return parseDmidecodeOutput(t, name, readText(t, name))
}

// parseDmidecodeOutput parses dmidecode's text (see parseDmidecodeText);
// name is for messages.
func parseDmidecodeOutput(t testing.TB, name, data string) []dmiBlock {
	t.Helper()
	var blocks []dmiBlock
	var cur *dmiBlock
	var list string
	for _, line := range strings.Split(data, "\n") {
		switch {
		case strings.HasPrefix(line, "Handle 0x"):
			var b dmiBlock
			parts := strings.Split(line, ", ")
			if len(parts) < 2 {
				t.Fatalf("%s: bad handle line %q", name, line)
			}
			b.Handle = strings.TrimPrefix(parts[0], "Handle ")
			typ := strings.TrimPrefix(parts[1], "DMI type ")
			for _, c := range typ {
				b.Type = b.Type*10 + int(c-'0')
			}
			b.Attrs, b.Lists = map[string]string{}, map[string][]string{}
			blocks = append(blocks, b)
			cur, list = &blocks[len(blocks)-1], ""
		case cur == nil || strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "\t\t"):
			if list != "" {
				cur.Lists[list] = append(cur.Lists[list], strings.TrimSpace(line))
			} else if k, v, ok := strings.Cut(strings.TrimSpace(line), ": "); ok {
				// Sub-attributes such as a protocol record's fields.
				cur.Attrs[k] = strings.TrimSpace(v)
			}
		case strings.HasPrefix(line, "\t"):
			kv := strings.TrimPrefix(line, "\t")
			k, v, ok := strings.Cut(kv, ":")
			if !ok {
				continue
			}
			v = strings.TrimSpace(v)
			if v == "" {
				list = k
				cur.Lists[k] = nil
				continue
			}
			list = ""
			cur.Attrs[k] = v
		case cur.Name == "":
			cur.Name = line
		}
	}
	return blocks
}

// ofType returns the blocks of one type that dmidecode decoded (a block
// too short to decode has no attributes).
func ofType(blocks []dmiBlock, typ int) []dmiBlock {
	var out []dmiBlock
	for _, b := range blocks {
		if b.Type == typ && len(b.Attrs) > 0 {
			out = append(out, b)
		}
	}
	return out
}

func readText(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".dmidecode.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
