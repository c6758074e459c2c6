package identity

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
)

const (
	u1, u2 = "4c4c4544-0042-4a10-8052-b2c04f395a32", "c3e24d56-c0c3-e2e1-4622-554dc5eb6ba1"
	s1, s2 = "Dell Inc./PowerEdge R610/BZ982FM", "Dell Inc./PowerEdge R610/HZ982FN"
	b1, b2 = "Supermicro/X9DBL-3F/X9DBL-iF/VM147S018307", "Supermicro/X9DBL-3F/X9DBL-iF/VM147S018999"
	c1     = "Supermicro/CF418AE16N30163"
	ma, mb = "00:25:90:00:00:0a", "00:25:90:00:00:0b"
	mc, md = "00:25:90:00:00:0c", "00:25:90:00:00:0d"
)

func TestCompare(t *testing.T) {
	t.Parallel()
	id := func(uuid, serial, board, chassis string, macs ...string) inventory.Identity {
		return inventory.Identity{SystemUUID: uuid, SystemSerial: serial, BaseboardSerial: board, ChassisSerial: chassis, MACs: macs}
	}
	full := id(u1, s1, b1, "", ma, mb)
	tests := []struct {
		name            string
		known, incoming inventory.Identity
		want            Verdict
	}{
		{"the same machine again", full, full, Verdict{Outcome: Same, Shared: full.Keys()}},
		{"NIC swap: one MAC changed", full, id(u1, s1, b1, "", ma, mc),
			Verdict{Outcome: Same, Shared: []string{"system_uuid:" + u1, "system_serial:" + s1, "baseboard_serial:" + b1, "mac:" + ma}}},
		{"every NIC replaced, serials agree", full, id(u1, s1, b1, "", mc, md),
			Verdict{Outcome: Same, Shared: []string{"system_uuid:" + u1, "system_serial:" + s1, "baseboard_serial:" + b1}}},
		{"cloned UUID, other serial and NICs", full, id(u1, s2, b2, "", mc, md),
			Verdict{Outcome: Different, Shared: []string{"system_uuid:" + u1}, Reason: `system serial "` + s1 + `" ≠ "` + s2 + `"`}},
		{"cloned UUID, placeholder serials, other board and NICs", id(u1, "", b1, "", ma), id(u1, "", b2, "", mc),
			Verdict{Outcome: Different, Shared: []string{"system_uuid:" + u1}, Reason: `baseboard serial "` + b1 + `" ≠ "` + b2 + `" and no NIC in common`}},
		{"UUID alone agrees, every NIC replaced: nothing contradicts", id(u1, "", "", "", ma), id(u1, "", "", "", mc),
			Verdict{Outcome: Same, Shared: []string{"system_uuid:" + u1}}},
		{"board replaced keeping the service tag and UUID and an add-in NIC", id(u1, s1, b1, "", ma, mb), id(u1, s1, b2, "", mb, mc),
			Verdict{Outcome: Same, Shared: []string{"system_uuid:" + u1, "system_serial:" + s1, "mac:" + mb}}},
		{"serial re-entered on a new board with new LOMs", id(u1, s1, b1, "", ma), id(u2, s1, b2, "", mc),
			Verdict{Outcome: Different, Shared: []string{"system_serial:" + s1}, Reason: "system UUID " + u1 + " ≠ " + u2 + " and no NIC in common"}},
		{"NIC moved to another machine", id(u1, s1, "", "", ma, mb), id(u2, s2, "", "", mb, mc),
			Verdict{Outcome: Different, Shared: []string{"mac:" + mb}, Reason: `system serial "` + s1 + `" ≠ "` + s2 + `"`}},
		{"NIC moved, no serials", id(u1, "", "", "", ma, mb), id(u2, "", "", "", mb, mc),
			Verdict{Outcome: Different, Shared: []string{"mac:" + mb}, Reason: "system UUID " + u1 + " ≠ " + u2 + "; in common only NICs"}},
		{"nodes of one multi-node chassis", id("", "", "", c1, ma), id("", "", "", c1, mc),
			Verdict{Outcome: Different, Shared: []string{"chassis_serial:" + c1}, Reason: "only the chassis serial agrees and no NIC in common (nodes of one multi-node chassis?)"}},
		{"nodes of one chassis with board serials", id("", "", b1, c1), id("", "", b2, c1),
			Verdict{Outcome: Different, Shared: []string{"chassis_serial:" + c1}, Reason: `baseboard serial "` + b1 + `" ≠ "` + b2 + `"; in common only the chassis serial`}},
		{"a machine known by its MACs", id("", "", "", "", ma, mb), id("", "", "", "", mb),
			Verdict{Outcome: Same, Shared: []string{"mac:" + mb}}},
		{"nothing in common", full, id(u2, s2, b2, "", mc), Verdict{Outcome: Unrelated}},
	}
	for _, tt := range tests {
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
