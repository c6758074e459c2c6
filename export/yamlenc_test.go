package export

import (
	"bytes"
	"encoding/json"
	"testing"

	"sigs.k8s.io/yaml"
)

// spyWriter keeps the machines an export hands over.
type spyWriter struct {
	TinkerbellWriter
	machines []*Machine
}

func (s *spyWriter) Write(m *Machine) error { s.machines = append(s.machines, m); return nil }

// The encoder agrees with sigs.k8s.io/yaml, the library kubectl and EKS
// Anywhere use: byte for byte, and every document decodes to what
// encoding/json makes of the object.
func TestYAMLEncoderMatchesSigsYAML(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases {
		refs, err := FileRefs(tc.inputs)
		if err != nil {
			t.Fatal(err)
		}
		var spy spyWriter
		_, _, err = exportOnce(t, tc.plan, tc.env, refs, func(_ *bytes.Buffer, p *Plan) Writer {
			spy.TinkerbellWriter = *NewTinkerbellWriter(nil, p.Namespace, p.FacilityCode)
			return &spy
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range spy.machines {
			for _, d := range spy.Objects(m) {
				got, err := marshalYAML(d)
				if err != nil {
					t.Fatal(err)
				}
				want, err := yaml.Marshal(d)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: differs from sigs.k8s.io/yaml:\n%s\nwant:\n%s", m.Row.Hostname, got, want)
				}
				j, err := yaml.YAMLToJSON(got)
				if err != nil {
					t.Fatal(err)
				}
				wantJ, _ := json.Marshal(d)
				if !jsonEqual(t, j, wantJ) {
					t.Errorf("%s: decodes to\n%s\nwant\n%s", m.Row.Hostname, j, wantJ)
				}
			}
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func TestYAMLStrings(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]string{
		"node-1":                 "node-1",
		"10.10.10.100":           "10.10.10.100",
		"9000116105":             `"9000116105"`,
		"12:34:56:12:34:56":      `"12:34:56:12:34:56"`,
		"00:1f:f3:af:d3:f1":      "00:1f:f3:af:d3:f1",
		"true":                   `"true"`,
		"Off":                    `"Off"`,
		"1e3":                    `"1e3"`,
		"0x1F":                   `"0x1F"`,
		"2024-01-02":             `"2024-01-02"`,
		"":                       `""`,
		"a: b":                   `"a: b"`,
		"a #b":                   `"a #b"`,
		"- x":                    `"- x"`,
		"tab\there":              `"tab\there"`,
		"Straße":                 `"Straße"`,
		"\x7f\u0085\u2028\ufeff": `"\u007f\u0085\u2028\ufeff"`,
		"bad\xffutf8":            "\"bad\ufffdutf8\"",
		"VMware, Inc.":           "VMware, Inc.",
	} {
		if got := string(appendYAMLString(nil, s)); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

// FuzzYAMLString: whatever the string, the scalar reads back as that
// string (invalid UTF-8 as U+FFFD, as encoding/json does).
func FuzzYAMLString(f *testing.F) {
	for _, s := range []string{"node-1", "9000116105", "12:34:56", "yes", "a: b", "x #y", "\"q\"", "'", "Straße", "0o17", ".5", "+.inf", "~", "<<", "=", "?x", "a\nb", "\x00", "bad\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc := append([]byte("k: "), appendYAMLString(nil, s)...)
		var got map[string]any
		if err := yaml.Unmarshal(doc, &got); err != nil {
			t.Fatalf("%q: %s does not decode: %v", s, doc, err)
		}
		want, _ := json.Marshal(s) // the JSON view: invalid UTF-8 as U+FFFD
		var ws string
		_ = json.Unmarshal(want, &ws)
		if v, ok := got["k"].(string); !ok || v != ws {
			t.Fatalf("%q encoded as %s decodes to %#v", s, doc, got["k"])
		}
	})
}

// BenchmarkYAML compares the encoder with sigs.k8s.io/yaml on the fleet's
// Hardware objects.
func BenchmarkYAML(b *testing.B) {
	inv, err := FileRef("testdata/fleet/srv-x9dbl.json").Load()
	if err != nil {
		b.Fatal(err)
	}
	w := NewTinkerbellWriter(nil, "", "")
	row := &Row{Hostname: "node-1", IPAddress: "10.0.0.5", Netmask: "255.255.255.0", Gateway: "10.0.0.1", Nameservers: []string{"10.0.0.2"}, MAC: "00:1f:f3:af:d3:f1", Disk: "/dev/sda", BMCIP: "10.20.0.11", BMCUsername: "ADMIN", BMCPassword: "pw", Arch: "x86_64", UEFI: true}
	docs := w.Objects(&Machine{Row: row, Facts: FactsOf(inv), ID: "m-1", Serial: "9000116105"})
	b.Run("hwagent", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for _, d := range docs {
				if _, err := marshalYAML(d); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("sigs.k8s.io/yaml", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for _, d := range docs {
				if _, err := yaml.Marshal(d); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
