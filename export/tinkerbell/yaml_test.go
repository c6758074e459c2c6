package tinkerbell

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	yaml2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/internal/secret"
)

// everyField is a machine whose objects carry every field the three
// structs have, s in every string a plan, an inventory or a template can
// reach. Map keys are hwagent's own or Kubernetes label keys, which the
// plan checks (export.labelProblems): s is only a label's value.
func everyField(s string) *export.Machine {
	return &export.Machine{
		Row: &export.Row{
			Hostname: "node-" + s, IPAddress: "10.0.0.5", Netmask: "255.255.255.0", Gateway: "10.0.0.1",
			Nameservers: []string{"10.0.0.2", s}, MAC: "00:1f:f3:af:d3:f1", Disk: "/dev/" + s,
			Labels: map[string]string{"type": "cp", "value": s, "rack10": "a", "rack9": "b"},
			BMCIP:  "10.20.0.11", BMCUsername: s, BMCPassword: secret.Value(s), VLANID: "120",
			UEFI: true, Arch: "x86_64", KernelParams: []string{"hwagent.lldp-wait=35s", s},
		},
		Facts: &export.Facts{
			ManufacturerSlug: s, PlanSlug: s,
			Resources: map[string]string{"cpu": "24", "memory": "65921280Ki"},
			Tags:      []string{"serial=" + s, s, "cpu=Intel(R) Xeon(R) CPU L5640 @ 2.27GHz"},
		},
		Source: "test", ID: "m-" + s, Serial: s, AgentID: s, Name: s,
	}
}

// hostile are strings whose YAML needs care: every kind of quoting, what
// YAML 1.1 reads as another type, line breaks, control and non-ASCII
// characters, lines longer than the emitter's 80 columns, bytes that are
// not UTF-8.
var hostile = []string{
	"", "plain", "true", "yes", "No", "on", "off", "y", "~", "null", "1", "1.0", "0x1f", "0o17", "0755",
	"1e3", "+.inf", ".NaN", "1_000", "0b101", "12:34:56", "190:20:30.15", "2026-12-06", "2026-12-06T08:00:00Z",
	" lead", "trail ", "a: b", "- x", "#x", "x #y", "@x", "`x", "%x", "*x", "&x", "!x", "!!binary x", "|", ">",
	"'q'", `"dq"`, "{a}", "[a]", ",", "?", "a,b", "=", "<<", "-", "--- x", "...", `a\b`,
	"multi\nline", "trail\n", "\n", "tab\tx", "cr\rx", "é", "日本", "\x1b[2J", "x\x00y", "x\x7fy", "\u0085",
	"\u00a0", "\u2028", "\ufeff", "\U0001F600", "\xff\xfe", "ok\xc3", strings.Repeat("word ", 30),
	strings.Repeat("x", 200), "Intel(R) Xeon(R) CPU L5640 @ 2.27GHz", "disk/sda=hdd scsi 499558383616",
}

// sameAsKubectl checks the writer's documents for m: read back, they are
// the objects (strings that are not UTF-8 with U+FFFD for the invalid bytes,
// as in the JSON a cluster is sent); and they are byte for byte what
// sigs.k8s.io/yaml (kubectl, EKS Anywhere) writes for the same objects
// wherever that reads back to them too. It does not for U+0085 (its JSON
// round trip reads the raw NEL as a line break and folds it into a space)
// and it refuses DEL ("control characters are not allowed"): there the
// manifests are right and kubectl's are not.
//
// It reports whether every document was compared with sigs.k8s.io/yaml's.
func sameAsKubectl(t *testing.T, m *export.Machine) (compared bool) {
	t.Helper()
	return sameAsKubectlIn(t, NewWriter(nil, "tink-system", "onprem"), m)
}

// sameAsKubectlIn is sameAsKubectl with w's namespace and facility.
func sameAsKubectlIn(t *testing.T, w *Writer, m *export.Machine) (compared bool) {
	t.Helper()
	compared = true
	var got bytes.Buffer
	w.w = &got
	if err := w.Write(m); err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := w.End(); err != nil {
		t.Fatalf("end: %v", err)
	}
	objs := w.Objects(m)
	// A document starts with a line "---": a value's "---" is never at the
	// start of a line (block values are indented, their line breaks quoted).
	docs := strings.Split("\n"+got.String(), "\n---\n")
	for i := 1; i < len(docs)-1; i++ {
		docs[i] += "\n"
	}
	if docs[0] != "" || len(docs) != len(objs)+1 {
		t.Fatalf("%d objects, documents %q", len(objs), got.String())
	}
	for i, obj := range objs {
		doc := docs[i+1]
		want := validUTF8(obj)
		if diff := cmp.Diff(want, readBack(t, obj, doc), allFields); diff != "" {
			t.Errorf("object %d read back (-written +read):\n%s\n%s", i, diff, doc)
		}
		kubectl, err := yaml.Marshal(obj)
		if err != nil {
			if !strings.Contains(err.Error(), "control characters") {
				t.Errorf("object %d: sigs.k8s.io/yaml: %v", i, err)
			}
			compared = false
			continue
		}
		if cmp.Diff(want, readBack(t, obj, string(kubectl)), allFields) != "" {
			compared = false // sigs.k8s.io/yaml changed a value
			continue
		}
		if doc != string(kubectl) {
			t.Errorf("object %d differs from sigs.k8s.io/yaml's (-sigs +hwagent):\n%s", i, cmp.Diff(string(kubectl), doc))
		}
	}
	return compared
}

var allFields = cmp.Exporter(func(reflect.Type) bool { return true })

// readBack decodes doc into a new object of obj's type, strictly.
func readBack(t *testing.T, obj any, doc string) any {
	t.Helper()
	back := reflect.New(reflect.TypeOf(obj).Elem())
	if err := yaml2.UnmarshalStrict([]byte(doc), back.Interface()); err != nil {
		t.Errorf("does not read back: %v\n%s", err, doc)
	}
	return back.Interface()
}

// validUTF8 is obj with every string made valid UTF-8 as encoding/json
// makes it (invalid bytes become U+FFFD), through a JSON round trip.
func validUTF8(obj any) any {
	b, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	back := reflect.New(reflect.TypeOf(obj).Elem())
	if err := json.Unmarshal(b, back.Interface()); err != nil {
		panic(err)
	}
	return back.Interface()
}

// TestYAMLAsKubectlWritesIt: the manifests are what kubectl's and EKS
// Anywhere's YAML library writes for the same objects, byte for byte, for
// every field and every kind of string; and they read back to the objects.
func TestYAMLAsKubectlWritesIt(t *testing.T) {
	t.Parallel()
	kubectlWrong := map[string]bool{"\u0085": true, "x\x7fy": true}
	for _, s := range hostile {
		if compared := sameAsKubectl(t, everyField(s)); compared == kubectlWrong[s] {
			t.Errorf("%q: compared with sigs.k8s.io/yaml's bytes = %v; want %v", s, compared, !kubectlWrong[s])
		}
	}
	// No BMC, no IP, no disk, no MAC: only the Hardware, its optional
	// fields left out.
	bare := everyField("x")
	bare.Row.BMCIP, bare.Row.IPAddress, bare.Row.Disk, bare.Row.MAC, bare.Facts = "", "", "", "", nil
	sameAsKubectl(t, bare)
}

// TestYAMLAsKubectlWritesItOnFixtures: byte for byte sigs.k8s.io/yaml's
// manifests for real data: EKS Anywhere's own hardware.csv examples, row by
// row as EKS Anywhere reads them, and the fleet (inventories collected from
// the real SMBIOS/LLDP fixture hosts) exported under every golden plan,
// with its facts, tags, BMC objects, VLANs and kernel parameters.
func TestYAMLAsKubectlWritesItOnFixtures(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"../testdata/eksa/hardware.example.csv", "../testdata/eksa/hardware_no_bmc.example.csv"} {
		rows := eksaRows(t, file)
		if len(rows) == 0 {
			t.Fatalf("%s: no rows", file)
		}
		for _, row := range rows {
			m := &export.Machine{Row: row, Source: file, ID: row.MAC, AgentID: row.MAC}
			if !sameAsKubectlIn(t, NewWriter(nil, "", ""), m) {
				t.Errorf("%s: %s not compared with sigs.k8s.io/yaml's bytes", file, row.Hostname)
			}
		}
	}
	for _, tc := range []struct {
		plan   string
		inputs []string
		env    plan.MachineCredentials
	}{
		{plan: "basic.yaml", inputs: []string{"../testdata/fleet"}},
		{plan: "index-vlan.yaml", inputs: []string{"../testdata/fleet"}},
		{plan: "lldp.yaml", inputs: []string{"../testdata/fleet/srv-x9dbl.json", "../testdata/fleet/desk-x399.json", "../testdata/fleet/nas-synology.json"},
			env: plan.MachineCredentials{Username: "root", Password: "from-env"}},
	} {
		p, err := plan.LoadPlan(filepath.Join("../testdata/plans", tc.plan))
		if err != nil {
			t.Fatal(err)
		}
		creds := &plan.Credentials{}
		if p.BMCCredentialsFile != "" {
			if creds, err = plan.LoadCredentials(p.BMCCredentialsFile); err != nil {
				t.Fatal(err)
			}
		}
		creds.Default = tc.env
		x, err := export.New(*p, creds)
		if err != nil {
			t.Fatal(err)
		}
		refs, err := source.FileRefs(tc.inputs)
		if err != nil {
			t.Fatal(err)
		}
		c := &kubectlCheck{t: t, w: NewWriter(nil, p.Namespace, p.FacilityCode)}
		if _, err := x.Export(context.Background(), refs, c); err != nil {
			t.Fatalf("%s: %v", tc.plan, err)
		}
		if c.machines != len(refs) || c.compared != len(refs) {
			t.Errorf("%s: %d of %d machines written, %d compared", tc.plan, c.machines, len(refs), c.compared)
		}
	}
}

// kubectlCheck is an export.Writer that checks every machine's manifests
// with sameAsKubectlIn.
type kubectlCheck struct {
	t                  *testing.T
	w                  *Writer
	machines, compared int
}

func (c *kubectlCheck) WantsFacts() bool           { return true }
func (c *kubectlCheck) Begin(export.Columns) error { return nil }
func (c *kubectlCheck) End() error                 { return nil }
func (c *kubectlCheck) Write(m *export.Machine) error {
	c.machines++
	if sameAsKubectlIn(c.t, c.w, m) {
		c.compared++
	}
	return nil
}

// eksaRows reads an EKS Anywhere hardware.csv into rows as EKS Anywhere
// reads it (nameservers and labels separated by "|", labels key=value).
func eksaRows(t *testing.T, file string) []*export.Row {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []*export.Row
	for _, rec := range recs[1:] {
		get := func(name string) string {
			if i := slices.Index(recs[0], name); i >= 0 {
				return rec[i]
			}
			return ""
		}
		row := &export.Row{
			Hostname: get("hostname"), IPAddress: get("ip_address"), Netmask: get("netmask"), Gateway: get("gateway"),
			Nameservers: strings.Split(get("nameservers"), "|"), MAC: strings.ToLower(get("mac")), Disk: get("disk"),
			Labels: map[string]string{}, BMCIP: get("bmc_ip"), BMCUsername: get("bmc_username"),
			BMCPassword: secret.Value(get("bmc_password")), VLANID: get("vlan_id"), UEFI: true,
		}
		for _, pair := range strings.Split(get("labels"), "|") {
			k, v, ok := strings.Cut(pair, "=")
			if !ok {
				t.Fatalf("%s: label %q", file, pair)
			}
			row.Labels[k] = v
		}
		rows = append(rows, row)
	}
	return rows
}

// FuzzYAML puts arbitrary strings in every field.
func FuzzYAML(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 300 {
			return
		}
		sameAsKubectl(t, everyField(s))
	})
}

// TestValidUTF8Helper: the helper the other tests compare with does
// replace invalid bytes, so that they check something.
func TestValidUTF8Helper(t *testing.T) {
	got := validUTF8(&hwDisk{Device: "ok\xc3"}).(*hwDisk).Device
	if !utf8.ValidString(got) || got != "ok\uFFFD" {
		t.Errorf("validUTF8 = %q", got)
	}
}

// BenchmarkYAML writes one fleet machine's three documents (Hardware with
// its facts, Rufio Machine, Secret) as the exporter does, and through
// sigs.k8s.io/yaml's JSON round trip for comparison.
func BenchmarkYAML(b *testing.B) {
	inv, err := source.FileRef("../testdata/fleet/srv-x9dbl.json").Load()
	if err != nil {
		b.Fatal(err)
	}
	m := &export.Machine{
		Row: &export.Row{Hostname: "node-1", IPAddress: "10.0.0.5", Netmask: "255.255.255.0", Gateway: "10.0.0.1",
			Nameservers: []string{"10.0.0.2"}, MAC: "00:1f:f3:af:d3:f1", Disk: "/dev/sda", BMCIP: "10.20.0.11",
			BMCUsername: "ADMIN", BMCPassword: secret.Value("pw"), Arch: "x86_64", UEFI: true},
		Facts: export.FactsOf(inv), ID: "m-1", Serial: "9000116105", AgentID: "00:1f:f3:af:d3:f1",
	}
	w := NewWriter(io.Discard, "", "")
	b.Run("go.yaml.in/yaml/v2", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := w.Write(m); err != nil {
				b.Fatal(err)
			}
			if err := w.End(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sigs.k8s.io/yaml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, obj := range w.Objects(m) {
				if _, err := yaml.Marshal(obj); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// TestWriterBatches: machines written in batches on every CPU come out
// in the order they were given, each as its own documents, the last
// partial batch at End; a failing output fails the Write or End that
// writes.
func TestWriterBatches(t *testing.T) {
	t.Parallel()
	var machines []*export.Machine
	var want bytes.Buffer
	ref := NewWriter(nil, "", "")
	for i := range 2*batch + 7 {
		m := everyField(fmt.Sprintf("m%03d", i))
		if i%3 == 0 {
			m.Row.BMCIP = "" // Hardware only
		}
		machines = append(machines, m)
		for _, obj := range ref.Objects(m) {
			b, err := marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			want.WriteString("---\n")
			want.Write(b)
		}
	}
	var got bytes.Buffer
	w := NewWriter(&got, "", "")
	for i, m := range machines {
		if err := w.Write(m); err != nil {
			t.Fatal(err)
		}
		if full := (i + 1) / batch * batch; i+1 == full && !strings.Contains(got.String(), "name: node-m"+fmt.Sprintf("%03d", full-1)+"\n") {
			t.Fatalf("after %d machines the batch is not written", full)
		}
	}
	if err := w.End(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.String(), got.String()); diff != "" {
		t.Errorf("batched output differs from one machine at a time (-want +got):\n%s", diff)
	}

	bad := NewWriter(failingWriter{}, "", "")
	var err error
	for _, m := range machines[:batch] {
		if err = bad.Write(m); err != nil {
			break
		}
	}
	if err == nil {
		t.Error("a full batch to a failing output: no error")
	}
	bad = NewWriter(failingWriter{}, "", "")
	if err := bad.Write(machines[0]); err != nil {
		t.Errorf("one machine is kept, not written: %v", err)
	}
	if err := bad.End(); err == nil {
		t.Error("End to a failing output: no error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
