package client

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/client/clienttest"
)

// The tokens are long random-looking strings so that a leak is unambiguous.
const (
	enrollToken = "enroll-7f3c9a1e5b2d4f60a8c1e3b5d7f90a2c"
	wrongToken  = "enroll-00000000000000000000000000000000"
)

// x9dbl is an inventory with the identity of the SuperMicro X9DBL in
// /work/shared/fixtures/smbios (values from its dmidecode text); its NIC MAC
// is the one embedded in the board's UUID (Supermicro OUI 0c:c4:7a).
func x9dbl() *inventory.Inventory {
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		CollectedAt:   time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		Agent:         inventory.Agent{Version: "test", Mode: "run"},
		System: &inventory.System{
			BIOS:      inventory.BIOS{Vendor: "American Megatrends Inc.", Version: "3.00", ReleaseDate: "12/06/2013", ROMSizeBytes: 4 << 20},
			Product:   inventory.Product{Manufacturer: "Thomas-Krenn.AG", Name: "X9DBL-3F/X9DBL-iF", Serial: "9000116105", UUID: "00000000-0000-0000-0000-0cc47a133878", WakeUpType: "Power Switch"},
			Baseboard: &inventory.Baseboard{Manufacturer: "Supermicro", Product: "X9DBL-3F/X9DBL-iF", Serial: "VM147S018307"},
		},
		Network: &inventory.Network{Interfaces: []inventory.NIC{
			{Name: "eno1", Kind: inventory.NICPhysical, MAC: "0c:c4:7a:13:38:78", PermanentMAC: "0c:c4:7a:13:38:78", Driver: "igb", Carrier: true, AdminUp: true},
		}},
		Collectors: []inventory.CollectorStatus{{Name: "system", Status: inventory.StatusOK, DurationSeconds: 0.001}},
	}
	inv.Identity = inventory.DeriveIdentity(inv)
	return inv
}

func debugLogger(w *testutil.LockedBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newClient(t *testing.T, srv *clienttest.Server, token string, logs *testutil.LockedBuffer) *Client {
	t.Helper()
	opts := Options{Server: srv.URL, EnrollmentToken: secret.Value(token), Timeout: 5 * time.Second, UserAgent: "hwagent/test"}
	if logs != nil {
		opts.Logger = debugLogger(logs)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// recordSleep is a Retrier.Sleep that records the waits without waiting.
type recordSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recordSleep) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}
