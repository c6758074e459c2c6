package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSpool(t *testing.T) {
	t.Parallel()
	a, err := os.ReadFile("../testdata/fleet/arm-n1.json")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../testdata/fleet/laptop-t480.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, stream := range map[string]string{
		"concatenated": string(a) + string(b),
		"array":        "\n [" + string(a) + ",\n" + string(b) + "]\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			refs, err := Spool(strings.NewReader(stream), t.TempDir(), "stdin")
			if err != nil {
				t.Fatal(err)
			}
			if len(refs) != 2 || refs[0].Name != "stdin#1" || refs[1].Name != "stdin#2" {
				t.Fatalf("refs %+v", refs)
			}
			for i, want := range []string{"FCN0CJ03468352B", "PC131TBF"} {
				inv, err := refs[i].Load()
				if err != nil {
					t.Fatal(err)
				}
				if got := inv.System.Product.Serial; got != want {
					t.Errorf("document %d has serial %q, want %q", i+1, got, want)
				}
			}
		})
	}
	for _, bad := range []string{"[{}", "{} x", "[{}] {}"} {
		if _, err := Spool(strings.NewReader(bad), t.TempDir(), "stdin"); err == nil {
			t.Errorf("Spool(%q): no error", bad)
		}
	}
	if refs, err := Spool(strings.NewReader("  \n"), t.TempDir(), "stdin"); err != nil || len(refs) != 0 {
		t.Errorf("empty stream: %v %v", refs, err)
	}
}

func TestFileRefs(t *testing.T) {
	t.Parallel()
	refs, err := FileRefs([]string{"../testdata/fleet", "../testdata/fleet/arm-n1.json"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range refs {
		names = append(names, filepath.Base(r.Name))
	}
	want := "arm-n1.json desk-x399.json laptop-t480.json nas-synology.json qemu-acme-r220.json qemu-acme-r440.json srv-x9dbl.json vm-vmware.json arm-n1.json"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if _, err := FileRefs([]string{"testdata/no-such"}); err == nil {
		t.Errorf("no error for a missing path")
	}
}
