package images

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"sigs.k8s.io/yaml"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
)

// bundle is the image unpacked for runc (umoci), with the configuration
// umoci wrote; each run gets its own copy of the configuration.
type bundle struct {
	dir    string
	config map[string]any
}

// imageBundle builds the image the README's way (ocibuild over the agent
// build, amd64), copies it out of the OCI archive with skopeo and unpacks
// it with umoci.
func imageBundle(t *testing.T) *bundle {
	t.Helper()
	lab.Need(t, lab.Root, lab.Runc, lab.Umoci, lab.Skopeo)
	bin, err := lab.Hwagent(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tarball := filepath.Join(dir, "image.tar")
	run(t, "go", "run", "./ocibuild", "--binary", "linux/amd64="+bin, "--tag", "hwagent/hwagent:runc-test", "--out", tarball)
	run(t, "skopeo", "--insecure-policy", "copy", "--quiet", "--override-arch", "amd64", "oci-archive:"+tarball, "oci:"+filepath.Join(dir, "layout")+":runc-test")
	b := &bundle{dir: filepath.Join(dir, "bundle")}
	run(t, "umoci", "unpack", "--image", filepath.Join(dir, "layout")+":runc-test", b.dir)
	raw, err := os.ReadFile(filepath.Join(b.dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &b.config); err != nil {
		t.Fatal(err)
	}
	return b
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// runcSeq makes container IDs unique within the test binary.
var runcSeq atomic.Int64

// runEntry runs argv in the bundle the way LinuxKit runs entry: its binds
// (a source missing on this machine is replaced by an empty directory, as
// runtime.mkdir would create it), its capabilities and nothing else, the
// host namespaces it names (net, pid, uts), access to character devices, a
// read-only root. It returns stdout, stderr, the exit code and how long the
// container ran.
func (b *bundle) runEntry(t *testing.T, c lkContainer, env []string, argv ...string) (string, string, int, time.Duration) {
	t.Helper()
	cfg := deepCopy(t, b.config)
	proc := cfg["process"].(map[string]any)
	proc["args"] = argv
	proc["terminal"] = false
	proc["env"] = append([]any{"PATH=/"}, toAny(env)...)
	caps := toAny(c.Capabilities)
	proc["capabilities"] = map[string]any{"bounding": caps, "effective": caps, "permitted": caps, "inheritable": []any{}, "ambient": []any{}}
	// The unpacked rootfs is shared by every run; the configuration is
	// this run's.
	cfg["root"] = map[string]any{"path": filepath.Join(b.dir, "rootfs"), "readonly": c.Readonly}
	host := map[string]bool{"network": c.Net == "host", "pid": c.PID == "host", "uts": c.UTS == "host"}
	linux := cfg["linux"].(map[string]any)
	var ns []any
	for _, n := range linux["namespaces"].([]any) {
		if !host[n.(map[string]any)["type"].(string)] {
			ns = append(ns, n)
		}
	}
	linux["namespaces"] = ns
	if host["uts"] {
		delete(cfg, "hostname") // runc sets none without a UTS namespace
	}
	devs := []any{map[string]any{"allow": false, "access": "rwm"}}
	for _, d := range c.Devices {
		if d.Path == "all" {
			devs = append(devs, map[string]any{"allow": true, "type": d.Type, "access": "rwm"})
		}
	}
	linux["resources"] = map[string]any{"devices": devs}
	mounts := cfg["mounts"].([]any)
	for _, bind := range c.Binds {
		parts := strings.Split(bind, ":")
		src, dst := parts[0], parts[1]
		opts := []any{"rbind", "rw"}
		if len(parts) == 3 {
			opts = []any{"rbind"}
			for _, o := range strings.Split(parts[2], ",") {
				opts = append(opts, o)
			}
		}
		if _, err := os.Stat(src); err != nil {
			src = t.TempDir()
		}
		mounts = append(mounts, map[string]any{"destination": dst, "type": "bind", "source": src, "options": opts})
	}
	cfg["mounts"] = mounts

	dir := t.TempDir()
	raw, _ := json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("hwagent-test-%d-%d", os.Getpid(), runcSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "runc", "--root", filepath.Join(dir, "state"), "run", "--bundle", dir, id)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	exec.Command("runc", "--root", filepath.Join(dir, "state"), "delete", "--force", id).Run()
	if strings.Contains(stderr.String(), "runc run failed") {
		t.Fatalf("runc: %s", stderr.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("runc run: %v\n%s", err, stderr.String())
	}
	return stdout.String(), stderr.String(), code, took
}

func deepCopy(t *testing.T, v map[string]any) map[string]any {
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	return out
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// manifest reads linuxkit/hwagent.yml.
func manifest(t *testing.T) lkManifest {
	t.Helper()
	b, err := os.ReadFile("linuxkit/hwagent.yml")
	if err != nil {
		t.Fatal(err)
	}
	var m lkManifest
	if err := yaml.UnmarshalStrict(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// dumpArgs collect everything but LLDP (which listens 35 s for a switch).
var dumpArgs = []string{"dump", "-o", "json", "--disable", "lldp"}

// volatile are the fields two collections a second apart may disagree on
// whatever the container: times, uptime, durations.
var volatile = cmp.Options{
	cmpopts.IgnoreFields(inventory.Inventory{}, "CollectedAt"),
	cmpopts.IgnoreFields(inventory.Host{}, "UptimeSeconds"),
	cmpopts.IgnoreFields(inventory.CollectorStatus{}, "DurationSeconds"),
	cmpopts.EquateEmpty(),
}

// agentOwn are the fields that may differ because the agent brings its
// own: the pci.ids it read when the host's /usr is not bound (the names
// it gives are compared).
var agentOwn = cmpopts.IgnoreFields(inventory.PCI{}, "IDsDatabase")

// TestImageInRunc runs the image in runc as LinuxKit would run the hwagent
// service of linuxkit/hwagent.yml (and with Hook's own /:/host_root bind
// instead), and compares `hwagent dump` inside with the same binary's dump
// on the host, field by field: the container must see the machine as the
// machine sees itself, hostname included.
func TestImageInRunc(t *testing.T) {
	b := imageBundle(t)
	bin, _ := lab.Hwagent(context.Background())
	out, err := exec.Command(bin, dumpArgs...).Output()
	if err != nil {
		t.Fatalf("hwagent dump on the host: %v", err)
	}
	var outside inventory.Inventory
	if err := json.Unmarshal(out, &outside); err != nil {
		t.Fatal(err)
	}
	service := find(t, manifest(t).Services, "hwagent")
	hookRoot := service
	hookRoot.Binds = []string{"/:/host_root:ro"}
	for _, tc := range []struct {
		name, detected string
		entry          lkContainer
	}{
		{"hwagent.yml service", "autodetected /host", service},
		{"Hook's /host_root bind", "autodetected Hook /host_root", hookRoot},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code, _ := b.runEntry(t, tc.entry, nil, append([]string{"/hwagent", "--log-level", "debug"}, dumpArgs...)...)
			if code != 0 {
				t.Fatalf("hwagent dump in runc exited %d:\n%s", code, stderr)
			}
			var inside inventory.Inventory
			if err := json.Unmarshal([]byte(stdout), &inside); err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			if diff := cmp.Diff(outside, inside, volatile, agentOwn); diff != "" {
				t.Errorf("inside the container (-host +container):\n%s\nstderr:\n%s", diff, stderr)
			}
			if inside.Host == nil || inside.Host.Hostname == "" || inside.Host.Hostname == "umoci-default" {
				t.Errorf("hostname inside: %+v", inside.Host)
			}
		})
	}
	// The comparison catches an entry without uts: host: the only
	// difference is then the hostname, the container's own.
	t.Run("without uts: host", func(t *testing.T) {
		own := service
		own.UTS = ""
		stdout, stderr, code, _ := b.runEntry(t, own, nil, append([]string{"/hwagent"}, dumpArgs...)...)
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, stderr)
		}
		var inside inventory.Inventory
		if err := json.Unmarshal([]byte(stdout), &inside); err != nil {
			t.Fatal(err)
		}
		if inside.Host.Hostname != "umoci-default" {
			t.Errorf("hostname %q in a UTS namespace of its own, want umoci's umoci-default", inside.Host.Hostname)
		}
		inside.Host.Hostname = outside.Host.Hostname
		if diff := cmp.Diff(outside, inside, volatile, agentOwn); diff != "" {
			t.Errorf("more than the hostname differs (-host +container):\n%s", diff)
		}
	})
}

// TestOnbootRegisterIsBounded runs the onboot entry of linuxkit/hwagent.yml
// as it is, against a server address nothing answers: it gives up within
// its 10 s bound and says so, so the boot goes on.
func TestOnbootRegisterIsBounded(t *testing.T) {
	b := imageBundle(t)
	reg := find(t, manifest(t).Onboot, "hwagent-register")
	_, stderr, code, took := b.runEntry(t, reg, []string{"HWAGENT_SERVER=http://127.0.0.1:9", "HWAGENT_TOKEN=enroll-7f3c9a1e5b2d4f60a8c1e3b5d7f90a2c", "HWAGENT_BACKOFF_BASE=200ms"}, reg.Command...)
	if code != 1 || !strings.Contains(stderr, "no acknowledgement within --register-timeout 10s") {
		t.Errorf("exit %d, want 1 with the timeout:\n%s", code, stderr)
	}
	// 10 s, plus the container's start and stop.
	if took > 13*time.Second || took < 10*time.Second {
		t.Errorf("the onboot step held the boot %s, want 10 s", took.Round(time.Millisecond))
	}
	t.Logf("onboot register gave up after %s", took.Round(time.Millisecond))
}
