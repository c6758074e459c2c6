package identity

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
)

const (
	u1, u2 = "4c4c4544-0042-4a10-8052-b2c04f395a32", "c3e24d56-c0c3-e2e1-4622-554dc5eb6ba1"
	s1, s2 = "Dell Inc./PowerEdge R610/BZ982FM", "Dell Inc./PowerEdge R610/HZ982FN"
	b1, b2 = "Supermicro/X9DBL-3F/X9DBL-iF/VM147S018307", "Supermicro/X9DBL-3F/X9DBL-iF/VM147S018999"
	c1, c2 = "Supermicro/CF418AE16N30163", "Supermicro/CF418AE16N30987"
	ma, mb = "00:25:90:00:00:0a", "00:25:90:00:00:0b"
	mc, md = "00:25:90:00:00:0c", "00:25:90:00:00:0d"
)

// compareCase is one decision: the identity known, the one coming in,
// and the verdict (Rule is the row of docs/protocol.md's table).
type compareCase struct {
	name            string
	known, incoming inventory.Identity
	want            Verdict
}

func compareCases() []compareCase {
	id := func(uuid, serial, board, chassis string, macs ...string) inventory.Identity {
		return inventory.Identity{SystemUUID: uuid, SystemSerial: serial, BaseboardSerial: board, ChassisSerial: chassis, MACs: macs}
	}
	full := id(u1, s1, b1, "", ma, mb)
	return []compareCase{
		{"the same machine again", full, full, Verdict{Rule: 3, Outcome: Same, Shared: full.Keys()}},
		{"NIC swap: one MAC changed", full, id(u1, s1, b1, "", ma, mc),
			Verdict{Rule: 3, Outcome: Same, Shared: []string{"system_uuid:" + u1, "system_serial:" + s1, "baseboard_serial:" + b1, "mac:" + ma}}},
		{"every NIC replaced, serials agree", full, id(u1, s1, b1, "", mc, md),
			Verdict{Rule: 3, Outcome: Same, Shared: []string{"system_uuid:" + u1, "system_serial:" + s1, "baseboard_serial:" + b1}}},
		{"cloned UUID, other serial and NICs", full, id(u1, s2, b2, "", mc, md),
			Verdict{Rule: 2, Outcome: Different, Shared: []string{"system_uuid:" + u1}, Reason: `system serial "` + s1 + `" ≠ "` + s2 + `"`}},
		{"cloned UUID, placeholder serials, other board and NICs", id(u1, "", b1, "", ma), id(u1, "", b2, "", mc),
			Verdict{Rule: 5, Outcome: Different, Shared: []string{"system_uuid:" + u1}, Reason: `baseboard serial "` + b1 + `" ≠ "` + b2 + `" and no NIC in common`}},
		{"UUID alone agrees, every NIC replaced: nothing contradicts", id(u1, "", "", "", ma), id(u1, "", "", "", mc),
			Verdict{Rule: 3, Outcome: Same, Shared: []string{"system_uuid:" + u1}}},
		{"board replaced keeping the service tag and UUID and an add-in NIC", id(u1, s1, b1, "", ma, mb), id(u1, s1, b2, "", mb, mc),
			Verdict{Rule: 4, Outcome: Same, Shared: []string{"system_uuid:" + u1, "system_serial:" + s1, "mac:" + mb}}},
		{"serial re-entered on a new board with new LOMs", id(u1, s1, b1, "", ma), id(u2, s1, b2, "", mc),
			Verdict{Rule: 5, Outcome: Different, Shared: []string{"system_serial:" + s1}, Reason: "system UUID " + u1 + " ≠ " + u2 + " and no NIC in common"}},
		{"NIC moved to another machine", id(u1, s1, "", "", ma, mb), id(u2, s2, "", "", mb, mc),
			Verdict{Rule: 2, Outcome: Different, Shared: []string{"mac:" + mb}, Reason: `system serial "` + s1 + `" ≠ "` + s2 + `"`}},
		{"NIC moved, no serials", id(u1, "", "", "", ma, mb), id(u2, "", "", "", mb, mc),
			Verdict{Rule: 6, Outcome: Different, Shared: []string{"mac:" + mb}, Reason: "system UUID " + u1 + " ≠ " + u2 + "; in common only NICs"}},
		{"nodes of one multi-node chassis", id("", "", "", c1, ma), id("", "", "", c1, mc),
			Verdict{Rule: 7, Outcome: Different, Shared: []string{"chassis_serial:" + c1}, Reason: "only the chassis serial agrees and no NIC in common (nodes of one multi-node chassis?)"}},
		{"nodes of one chassis with board serials", id("", "", b1, c1), id("", "", b2, c1),
			Verdict{Rule: 6, Outcome: Different, Shared: []string{"chassis_serial:" + c1}, Reason: `baseboard serial "` + b1 + `" ≠ "` + b2 + `"; in common only the chassis serial`}},
		{"a machine known by its MACs", id("", "", "", "", ma, mb), id("", "", "", "", mb),
			Verdict{Rule: 8, Outcome: Same, Shared: []string{"mac:" + mb}}},
		{"nothing in common", full, id(u2, s2, b2, "", mc), Verdict{Rule: 1, Outcome: Unrelated}},
		// Chassis serials: the machine's own on rack servers and laptops,
		// the enclosure's on blades and multi-node servers.
		{"blade moved to another enclosure with its NICs", id(u1, s1, b1, c1, ma), id(u1, s1, b1, c2, ma),
			Verdict{Rule: 4, Outcome: Same, Shared: []string{"system_uuid:" + u1, "system_serial:" + s1, "baseboard_serial:" + b1, "mac:" + ma}}},
		{"cloned UUID on a node of another enclosure", id(u1, "", "", c1, ma), id(u1, "", "", c2, mc),
			Verdict{Rule: 5, Outcome: Different, Shared: []string{"system_uuid:" + u1}, Reason: `chassis serial "` + c1 + `" ≠ "` + c2 + `" and no NIC in common`}},
		{"cloned UUID, other chassis, no NICs reported", id(u1, "", "", c1), id(u1, "", "", c2),
			Verdict{Rule: 5, Outcome: Different, Shared: []string{"system_uuid:" + u1}, Reason: `chassis serial "` + c1 + `" ≠ "` + c2 + `" and no NIC in common`}},
		{"NIC moved to a node of another enclosure", id("", "", "", c1, ma, mb), id("", "", "", c2, mb, mc),
			Verdict{Rule: 6, Outcome: Different, Shared: []string{"mac:" + mb}, Reason: `chassis serial "` + c1 + `" ≠ "` + c2 + `"; in common only NICs`}},
		{"a chassis serial only one side reports", id(u1, "", "", c1, ma), id(u1, "", "", "", mc),
			Verdict{Rule: 3, Outcome: Same, Shared: []string{"system_uuid:" + u1}}},
		{"a machine known by its chassis serial alone", id("", "", "", c1), id("", "", "", c1, ma),
			Verdict{Rule: 8, Outcome: Same, Shared: []string{"chassis_serial:" + c1}}},
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	for _, tt := range compareCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Compare(tt.known, tt.incoming)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if back := Compare(tt.incoming, tt.known); back.Outcome != got.Outcome {
				t.Errorf("not symmetric: %v one way, %v the other", got.Outcome, back.Outcome)
			}
		})
	}
}

// FuzzCompare: any two identities built from a few values compare the
// same both ways, Unrelated exactly when no key is shared, and an identity
// is always the same machine as itself.
func FuzzCompare(f *testing.F) {
	f.Add(uint16(0x1234), uint16(0x4321))
	f.Add(uint16(0xffff), uint16(0x0000))
	values := [4]string{"", "a", "b", "c"}
	build := func(x uint16) inventory.Identity {
		id := inventory.Identity{
			SystemUUID: values[x&3], SystemSerial: values[x>>2&3], BaseboardSerial: values[x>>4&3], ChassisSerial: values[x>>6&3],
		}
		for i, m := range []string{"m1", "m2", "m3", "m4"} {
			if x>>(8+i)&1 == 1 {
				id.MACs = append(id.MACs, m)
			}
		}
		return id
	}
	f.Fuzz(func(t *testing.T, x, y uint16) {
		a, b := build(x), build(y)
		v := Compare(a, b)
		if w := Compare(b, a); w.Outcome != v.Outcome {
			t.Fatalf("%+v vs %+v: %v one way, %v the other", a, b, v.Outcome, w.Outcome)
		}
		if (v.Outcome == Unrelated) != (len(v.Shared) == 0) {
			t.Fatalf("%+v vs %+v: %v with shared keys %q", a, b, v.Outcome, v.Shared)
		}
		if (v.Outcome == Different) != (v.Reason != "") {
			t.Fatalf("%v with reason %q", v.Outcome, v.Reason)
		}
		if len(a.Keys()) > 0 && Compare(a, a).Outcome != Same {
			t.Fatalf("%+v is not the same as itself", a)
		}
	})
}

// TestDecisionTableDocumented: docs/protocol.md's decision table and
// Compare are one table. Every row of the document is a rule some case
// reaches, and every case's verdict is its row's.
func TestDecisionTableDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "### Identity — the decision table")
	if !ok {
		t.Fatal("docs/protocol.md has no section \"Identity — the decision table\"")
	}
	row := regexp.MustCompile(`(?m)^\| (\d+) \| [^|]+ \| \**(same|different|unrelated)\**`)
	documented := map[int]string{}
	if end := strings.Index(table, "\n## "); end >= 0 {
		table = table[:end]
	}
	for _, m := range row.FindAllStringSubmatch(table, -1) {
		n, _ := strconv.Atoi(m[1])
		documented[n] = m[2]
	}
	if len(documented) == 0 {
		t.Fatal("no rows read from the decision table")
	}
	reached := map[int]bool{}
	for _, tt := range compareCases() {
		verdict, ok := documented[tt.want.Rule]
		switch {
		case !ok:
			t.Errorf("%s: rule %d is not a row of the documented table", tt.name, tt.want.Rule)
		case verdict != tt.want.Outcome.String():
			t.Errorf("%s: %s by rule %d, whose documented verdict is %s", tt.name, tt.want.Outcome, tt.want.Rule, verdict)
		}
		reached[tt.want.Rule] = true
	}
	for n := 1; n <= len(documented); n++ {
		if _, ok := documented[n]; !ok {
			t.Errorf("the documented table has no row %d", n)
		}
		if !reached[n] {
			t.Errorf("row %d of the documented table: no case decided by it", n)
		}
	}
}
