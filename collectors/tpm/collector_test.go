package tpm_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	tpmcollector "github.com/hwagent/hwagent/collectors/tpm"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/tpm"
)

// host is a host tree: files (relative path → content) and symlinks.
func host(t *testing.T, files map[string]string, links map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, data := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range links {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestCollectSoftwareTPM reads a manufactured swtpm through the host's
// /dev/tpmrm0, the way the agent reads a machine's TPM through /host/dev.
func TestCollectSoftwareTPM(t *testing.T) {
	t.Parallel()
	sw := lab.StartSWTPM(t, lab.SWTPMConfig{Manufacture: true})
	root := host(t, map[string]string{"sys/class/tpm/tpm0/tpm_version_major": "2\n"}, map[string]string{"dev/tpmrm0": sw.Socket})
	env := collector.NewEnv(hostpaths.New(root, nil).WithMachine(hostpaths.Kernel()), nil, collector.Config{})
	apply, err := tpmcollector.New().Collect(t.Context(), env)
	if err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{}
	apply(inv)
	// The reference is the package's own reading of the same TPM, which
	// tpm's tests check against tpm2-tools and openssl.
	id, err := tpm.New(tpm.HostOpener(hostpaths.New(root, nil).WithMachine(hostpaths.Kernel()))).Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &inventory.TPM{Device: "tpm0", Version: "2.0", EndorsementKey: &inventory.TPMEndorsementKey{
		Algorithm: "rsa-2048", PublicKeySHA256: id.EK.SHA256, Persistent: "0x81010001",
		CertificateIssuer: id.EK.Certificate.Issuer, CertificateSerial: id.EK.Certificate.Serial,
	}}
	if diff := cmp.Diff(want, inv.Firmware.TPM); diff != "" {
		t.Errorf("TPM (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(want.EndorsementKey.CertificateIssuer, "CN=swtpm-localca") {
		t.Errorf("issuer %q: want swtpm_localca's", want.EndorsementKey.CertificateIssuer)
	}
	// The agent's registration uses the identity the collector read.
	if c := env.TPM().Cached(); c == nil || c.EK.SHA256 != id.EK.SHA256 || string(c.AK.Name) != string(id.AK.Name) {
		t.Errorf("Env.TPM().Cached() = %v, want the collector's identity", c)
	}

	// The firmware collector's section is completed, not replaced.
	inv = &inventory.Inventory{Firmware: &inventory.Firmware{BootMode: "bios", TPM: &inventory.TPM{Device: "tpm0", Version: "2.0", Manufacturer: "IBM"}}}
	apply(inv)
	if inv.Firmware.TPM.Manufacturer != "IBM" || inv.Firmware.TPM.EndorsementKey == nil {
		t.Errorf("firmware's TPM section replaced: %+v", inv.Firmware.TPM)
	}
}

func TestCollectOutcomes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files map[string]string
		links map[string]string
		live  bool   // the tree's TPM is the kernel's (else a recording)
		na    string // not applicable, with this reason
		err   string // failed, with this error
	}{
		{name: "no TPM", na: "no TPM: no /sys/class/tpm/tpm0, /dev/tpmrm0 or /dev/tpm0"},
		{
			name:  "kernel TPM, no device node bound",
			files: map[string]string{"sys/class/tpm/tpm0/tpm_version_major": "2\n"},
			err:   "the kernel has a TPM (/sys/class/tpm/tpm0) but this container sees no /dev/tpmrm0 or /dev/tpm0: bind the host's /dev",
		},
		{
			name:  "TPM 1.2",
			files: map[string]string{"sys/class/tpm/tpm0/tpm_version_major": "1\n", "dev/tpm0": ""},
			na:    "TPM 1.2: hwagent reads TPM 2.0 endorsement keys only",
		},
		{
			name:  "recorded host",
			files: map[string]string{"sys/class/tpm/tpm0/tpm_version_major": "2\n", "dev/tpmrm0": ""},
			err:   "/dev/tpmrm0: a recorded host (hwagent snapshot): the TPM was not asked",
		},
		{
			name:  "live host, a plain file for a node",
			files: map[string]string{"sys/class/tpm/tpm0/tpm_version_major": "2\n", "dev/tpmrm0": ""},
			live:  true,
			err:   "/dev/tpmrm0 is not a character device or socket: the TPM was not asked",
		},
		{
			name:  "a character device that is no TPM",
			files: map[string]string{"sys/class/tpm/tpm0/tpm_version_major": "2\n"},
			links: map[string]string{"dev/tpm0": "/dev/zero"},
			live:  true,
			err:   "endorsement key: rsa-2048: create from the template: TPM response: size field 0 out of range",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := hostpaths.New(host(t, tc.files, tc.links), nil)
			if tc.live {
				p = p.WithMachine(hostpaths.Kernel())
			}
			_, err := collectortest.CollectPaths(t, tpmcollector.New(), p, collector.Config{})
			switch {
			case tc.na != "":
				if err == nil || !strings.Contains(err.Error(), tc.na) || !strings.Contains(err.Error(), collector.ErrNotApplicable.Error()) {
					t.Errorf("error %v, want not applicable: %s", err, tc.na)
				}
			default:
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v, want %q", err, tc.err)
				}
			}
		})
	}
}

// TestCollectHungTPM: a TPM that takes commands and never answers costs
// the collector its deadline, no more.
func TestCollectHungTPM(t *testing.T) {
	t.Parallel()
	sw := lab.StartSWTPM(t, lab.SWTPMConfig{})
	// swtpm stopped (SIGSTOP) accepts connections in the kernel's backlog
	// but answers nothing.
	if err := sw.Pause(); err != nil {
		t.Fatal(err)
	}
	defer sw.Resume()
	root := host(t, map[string]string{"sys/class/tpm/tpm0/tpm_version_major": "2\n"}, map[string]string{"dev/tpmrm0": sw.Socket})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := tpmcollector.New().Collect(ctx, collector.NewEnv(hostpaths.New(root, nil).WithMachine(hostpaths.Kernel()), nil, collector.Config{}))
	if err == nil || !strings.Contains(err.Error(), "no answer from the TPM") {
		t.Errorf("error %v, want no answer from the TPM", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("collector returned after %s", d)
	}
}
