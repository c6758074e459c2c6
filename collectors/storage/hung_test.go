package storage

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/hostpaths"
)

// TestDiskThatNeverAnswers: in the 64-disk JBOD, two device nodes whose
// open never returns (FIFOs without a writer, as a wedged disk's node
// behaves) cost the collector at most probeTimeout: those disks say why
// their contents are unknown (so no export installs over them), the other
// 62 are read whole.
func TestDiskThatNeverAnswers(t *testing.T) {
	t.Parallel()
	root := jbodTree(t)
	stuck := []string{"sdab", "sdcl"} // the second and the last disk
	for _, name := range stuck {
		node := filepath.Join(root, "dev", name)
		if err := os.Remove(node); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(node, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { // end the abandoned open(2)
			if w, err := os.OpenFile(node, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
		})
	}
	start := time.Now()
	inv, err := collectortest.CollectPaths(t, New(), hostpaths.New(root, nil).WithMachine(hostpaths.Kernel()), collector.Config{})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if took > probeTimeout+3*time.Second {
		t.Errorf("collection took %v with two disks that never answer (bound %v)", took, probeTimeout)
	}
	read := 0
	for _, d := range inv.Storage.Disks {
		switch {
		case d.Name == stuck[0] || d.Name == stuck[1]:
			if !strings.Contains(d.SignatureError, "no answer within") || d.PartitionTable != "" {
				t.Errorf("%s: signature error %q, table %q", d.Name, d.SignatureError, d.PartitionTable)
			}
		case d.PartitionTable == "gpt" && d.SignatureError == "":
			read++
		default:
			t.Errorf("%s: table %q, error %q", d.Name, d.PartitionTable, d.SignatureError)
		}
	}
	if read != benchDisks-2 {
		t.Errorf("%d disks read, want %d", read, benchDisks-2)
	}
}
