package store

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/testinv"
)

func TestNewDocument(t *testing.T) {
	t.Parallel()
	inv := testinv.Machine(3)
	d, err := NewDocument(inv)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(inv.Identity.Keys(), d.Keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if d.Digest != inventory.Digest(inv) || len(d.JSON) < 20<<10 {
		t.Errorf("digest %s, %d bytes of JSON", d.Digest, len(d.JSON))
	}
	want := Summary{
		Manufacturer: "Dell Inc.", Product: "PowerEdge R610", Serial: inv.System.Product.Serial, BMCIP: "10.30.1.4",
		Hostname: inv.Host.Hostname, WorkerID: "00:26:b9:00:00:18", HWAddr: "00:26:b9:00:00:18",
		Neighbours: []Neighbour{
			{Interface: "eno1", Switch: "leaf-r000-a", ChassisID: "44:4c:a8:00:00:00", Port: "Ethernet4"},
			{Interface: "eno2", Switch: "leaf-r000-b", ChassisID: "44:4c:a8:00:00:00", Port: "Ethernet4"},
		},
	}
	if diff := cmp.Diff(want, d.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

// An agent that sent no identity gets one derived from its sections; one
// with nothing to derive it from is refused.
func TestNewDocumentIdentity(t *testing.T) {
	t.Parallel()
	inv := testinv.Machine(4)
	want := inv.Identity
	inv.Identity = inventory.Identity{}
	d, err := NewDocument(inv)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Keys(), d.Keys); diff != "" {
		t.Errorf("derived keys (-want +got):\n%s", diff)
	}
	if inv.Identity.MachineID != want.MachineID {
		t.Errorf("derived machine ID %q, want %q", inv.Identity.MachineID, want.MachineID)
	}
	bare := &inventory.Inventory{SchemaVersion: inventory.SchemaVersion, Host: &inventory.Host{Hostname: "x"}}
	if _, err := NewDocument(bare); !errors.Is(err, ErrNoIdentity) {
		t.Errorf("no identity: %v, want ErrNoIdentity", err)
	}
	if _, err := NewDocument(nil); err == nil {
		t.Error("nil inventory: no error")
	}
	// Duplicate keys (a MAC listed twice) are stored once.
	dup := testinv.Machine(5)
	dup.Identity.MACs = append(dup.Identity.MACs, dup.Identity.MACs[0])
	d, err = NewDocument(dup)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Keys) != len(dup.Identity.Keys())-1 {
		t.Errorf("%d keys, want the %d distinct ones", len(d.Keys), len(dup.Identity.Keys())-1)
	}
}

// An identity derived from more physical NICs than identity.macs allows
// is refused naming how many MACs there are (it said one less when the
// UUID was a placeholder, 1001 keys for 2,000 MACs was off by the
// serials).
func TestNewDocumentTooManyMACs(t *testing.T) {
	t.Parallel()
	inv := testinv.WithUUID(testinv.Machine(6), testinv.AMIUUID)
	inv.Identity = inventory.Identity{}
	nic := inv.Network.Interfaces[0]
	inv.Network.Interfaces = nil
	for i := range 2000 {
		nic.MAC = fmt.Sprintf("02:00:00:00:%02x:%02x", i>>8, i&0xff)
		nic.PermanentMAC = nic.MAC
		inv.Network.Interfaces = append(inv.Network.Interfaces, nic)
	}
	_, err := NewDocument(inv)
	var le *inventory.LimitError
	if !errors.As(err, &le) || le.Got != 2000 || le.Max != inventory.MaxIdentityMACs {
		t.Errorf("2,000 physical NICs: %v, want a limit error counting 2000 MACs", err)
	}
}

func TestNeighbourText(t *testing.T) {
	t.Parallel()
	for n, want := range map[Neighbour]string{
		{Switch: "leaf-1", Port: "Ethernet1"}: "leaf-1 Ethernet1",
		{Switch: "44:4c:a8:00:00:01"}:         "44:4c:a8:00:00:01",
	} {
		if got := n.Text(); got != want {
			t.Errorf("%+v.Text() = %q, want %q", n, got, want)
		}
	}
}
