package inventory

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sampleInventory() *Inventory {
	return &Inventory{
		SchemaVersion: SchemaVersion,
		CollectedAt:   time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC),
		System: &System{
			Product: Product{Manufacturer: "Supermicro", Name: "X9DBL-3F/X9DBL-iF", Serial: "0123456789",
				UUID: "00000000-0000-0000-0000-000000000000", Placeholders: []string{"serial", "uuid"}},
			Baseboard: &Baseboard{Manufacturer: "Supermicro", Product: "X9DBL-3F/X9DBL-iF", Serial: "NM13CS017331"},
			Chassis:   &Chassis{Manufacturer: "Supermicro", Serial: "To Be Filled By O.E.M."},
		},
		Network: &Network{Interfaces: []NIC{
			{Name: "eth1", Kind: NICPhysical, MAC: "0C:C4:7A:00:00:02", PermanentMAC: "0C:C4:7A:00:00:02"},
			{Name: "bond0", Kind: NICBond, MAC: "0c:c4:7a:00:00:01"},
			{Name: "eth0", Kind: NICPhysical, MAC: "0c:c4:7a:00:00:02", PermanentMAC: "0c:c4:7a:00:00:01"},
		}},
		Host:       &Host{UptimeSeconds: 12.5},
		Collectors: []CollectorStatus{{Name: "system", Status: StatusOK, DurationSeconds: 0.002}},
	}
}

func TestDeriveIdentity(t *testing.T) {
	t.Parallel()
	inv := sampleInventory()
	id := DeriveIdentity(inv)
	want := Identity{
		Basis:           "baseboard_serial",
		BaseboardSerial: "Supermicro/X9DBL-3F/X9DBL-iF/NM13CS017331",
		MACs:            []string{"0c:c4:7a:00:00:01", "0c:c4:7a:00:00:02"},
	}
	if diff := cmp.Diff(want, id, cmpIgnoreMachineID); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(id.MachineID, "m-") || len(id.MachineID) != 26 {
		t.Errorf("MachineID = %q", id.MachineID)
	}
	// The same board with a NIC swapped keeps its machine ID.
	inv.Network.Interfaces[0].PermanentMAC = "aa:bb:cc:dd:ee:ff"
	if again := DeriveIdentity(inv); again.MachineID != id.MachineID {
		t.Errorf("MachineID changed after a NIC swap: %s → %s", id.MachineID, again.MachineID)
	}
	// A valid UUID becomes the basis.
	inv.System.Product.UUID = "C0FFEE00-1234-5678-9ABC-DEF012345678"
	inv.System.Product.Placeholders = []string{"serial"}
	if got := DeriveIdentity(inv); got.Basis != "system_uuid" || got.SystemUUID != "c0ffee00-1234-5678-9abc-def012345678" {
		t.Errorf("with a valid UUID: %+v", got)
	}
	if got := DeriveIdentity(&Inventory{}); got.MachineID != "" || got.Basis != "" {
		t.Errorf("empty inventory got identity %+v", got)
	}
}

var cmpIgnoreMachineID = cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "MachineID" }, cmp.Ignore())

func TestDigestIgnoresVolatileFields(t *testing.T) {
	t.Parallel()
	a, b := sampleInventory(), sampleInventory()
	b.CollectedAt = b.CollectedAt.Add(time.Hour)
	b.Host.UptimeSeconds = 99
	b.Collectors[0].DurationSeconds = 1
	b.Network.Interfaces[0].Neighbors = []Neighbor{{Protocol: "lldp", SystemName: "sw01", ReceivedAt: time.Now()}}
	a.Network.Interfaces[0].Neighbors = []Neighbor{{Protocol: "lldp", SystemName: "sw01", ReceivedAt: time.Unix(0, 0)}}
	if Digest(a) != Digest(b) {
		t.Error("digest changed with only volatile fields")
	}
	if a.Host.UptimeSeconds != 12.5 || a.Network.Interfaces[0].Neighbors[0].ReceivedAt.IsZero() {
		t.Error("Digest modified its argument")
	}
	b.Network.Interfaces[0].Neighbors[0].PortID = "Ethernet1/8"
	if Digest(a) == Digest(b) {
		t.Error("digest unchanged after a NIC moved to another switch port")
	}
	if len(Digest(a)) != 64 {
		t.Errorf("digest %q is not hex SHA-256", Digest(a))
	}
}

// A MAC is one key however it is spelt: an upload carrying another
// machine's MAC as "0C-C4-7A-…" must meet the key "mac:0c:c4:7a:…" that
// machine holds, or the server's rule that keys belong to one machine is
// passed by a change of spelling. Group, all-zero and malformed addresses
// are no keys, from the network section or from an agent's identity.
func TestIdentityMACsAreCanonical(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mac  string
		want []string
	}{
		{"0c:c4:7a:00:00:09", []string{"0c:c4:7a:00:00:09"}},
		{"0C:C4:7A:00:00:09", []string{"0c:c4:7a:00:00:09"}},
		{"0C-C4-7A-00-00-09", []string{"0c:c4:7a:00:00:09"}},
		{"0cc4.7a00.0009", []string{"0c:c4:7a:00:00:09"}},
		{"01:00:5e:00:00:01", nil},
		{"ff:ff:ff:ff:ff:ff", nil},
		{"00:00:00:00:00:00", nil},
		{"00-00-00-00-00-00", nil},
		{"0c:c4:7a:00:00:0g", nil},
		{"0c:c4:7a:00:00:09 ", nil},
		{"0c:c4:7a-00:00:09", nil},
		{"80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0f:6d:31", nil}, // IPoIB: 20 bytes, not a NIC's own
	} {
		inv := &Inventory{Network: &Network{Interfaces: []NIC{{Name: "eth0", Kind: NICPhysical, PermanentMAC: tc.mac}}}}
		if got := DeriveIdentity(inv).MACs; !cmp.Equal(got, tc.want) {
			t.Errorf("network MAC %q: identity MACs %q, want %q", tc.mac, got, tc.want)
		}
		if got, ok := IdentityMAC(tc.mac); ok != (tc.want != nil) || ok && got != tc.want[0] {
			t.Errorf("IdentityMAC(%q) = %q, %v; want %q", tc.mac, got, ok, tc.want)
		}
	}
}
