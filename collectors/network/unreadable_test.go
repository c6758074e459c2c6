package network

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/collectors/collector"
)

// Issue 11 row 14, for the NICs: an interface whose sysfs directory cannot
// be read (its link dangles, or something else than a directory stands
// there) was reported with its name alone and the collector said ok: the
// MAC, and with it an identity key, silently missing. The status is now
// partial, naming the interface and the reason.
func TestUnreadableNICDirectory(t *testing.T) {
	t.Parallel()
	for name, breakIt := range map[string]func(t *testing.T, root string){
		"dangling link": func(t *testing.T, root string) {
			if err := os.RemoveAll(filepath.Join(root, "sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0")); err != nil {
				t.Fatal(err)
			}
		},
		"a file instead of the directory": func(t *testing.T, root string) {
			dir := filepath.Join(root, "sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0")
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dir, []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			if err := os.CopyFS(root, os.DirFS(filepath.Join("testdata", "build-vm"))); err != nil {
				t.Fatal(err)
			}
			breakIt(t, root)
			section, err := collect(t, nil, root)
			p, ok := err.(*collector.PartialError)
			if !ok {
				t.Fatalf("error %v (interfaces %+v), want a partial result", err, section)
			}
			w := strings.Join(p.Warnings, "\n")
			if !strings.Contains(w, "eth0") || !strings.Contains(w, "/sys/") {
				t.Errorf("warnings %q, want one naming eth0 and its directory", p.Warnings)
			}
			// The other interfaces are still there.
			if len(section.Interfaces) < 2 {
				t.Errorf("interfaces %+v", section.Interfaces)
			}
		})
	}
}
