package lldp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/lldp/pcapfile"
)

// decodedFrame is one record of a capture as the golden files show it.
type decodedFrame struct {
	Frame    int                 `json:"frame"`
	Neighbor *inventory.Neighbor `json:"neighbor,omitempty"`
	Error    string              `json:"error,omitempty"`
}

// decodeCapture decodes every record of testdata/name.pcap.
func decodeCapture(t testing.TB, name string) []decodedFrame {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".pcap"))
	if err != nil {
		t.Fatal(err)
	}
	_, recs, err := pcapfile.ReadAll(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := make([]decodedFrame, len(recs))
	for i, r := range recs {
		n, err := DecodeFrame(r.Data)
		if n != nil {
			n.ReceivedAt = r.Time
		}
		out[i] = decodedFrame{Frame: i + 1, Neighbor: n}
		if err != nil {
			out[i].Error = err.Error()
		}
	}
	return out
}

// captures lists testdata's pcap files by name.
func captures(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*.pcap")
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in testdata: %v", err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".pcap"))
	}
	return names
}

// TestGolden compares every capture's whole decoding with its golden file.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, name := range captures(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := json.MarshalIndent(decodeCapture(t, name), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			testutil.Golden(t, filepath.Join("testdata", name+".golden.json"), got, *testutil.Update)
		})
	}
}

// TestGoldenText compares the text rendering of two captures with their
// golden files.
func TestGoldenText(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"lldp_mudurl", "LLDP_and_CDP", "lldp-app-priority"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			for _, f := range decodeCapture(t, name) {
				fmt.Fprintf(&b, "frame %d\n", f.Frame)
				if f.Neighbor != nil {
					if err := WriteText(&b, f.Neighbor, "  "); err != nil {
						t.Fatal(err)
					}
				}
				if f.Error != "" {
					fmt.Fprintf(&b, "  error: %s\n", f.Error)
				}
			}
			testutil.Golden(t, filepath.Join("testdata", name+".golden.txt"), []byte(b.String()), *testutil.Update)
		})
	}
}
