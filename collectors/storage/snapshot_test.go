package storage

import (
	"path/filepath"
	"testing"

	"github.com/hwagent/hwagent/internal/testutil/collecttest"
)

// TestSnapshotRoundTrip checks that every file the collector reads goes
// through hostpaths: what `hwagent snapshot` records from the QEMU capture,
// unpacked, gives the same section.
func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	collecttest.SnapshotRoundTrip(t, New(), filepath.Join("testdata", "qemu", "q35-all-transports"))
}
