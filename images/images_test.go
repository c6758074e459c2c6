// Package images holds hwagent's container and LinuxKit/Hook packaging; this
// test keeps the LinuxKit manifest in step with what the agent needs.
package images

import (
	"os"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/hwagent/hwagent/internal/privileges"
)

type lkContainer struct {
	Name         string   `json:"name"`
	Image        string   `json:"image"`
	Command      []string `json:"command"`
	Net          string   `json:"net"`
	PID          string   `json:"pid"`
	UTS          string   `json:"uts"`
	Readonly     bool     `json:"readonly"`
	Binds        []string `json:"binds"`
	Capabilities []string `json:"capabilities"`
	Runtime      struct {
		Mkdir []string `json:"mkdir"`
	} `json:"runtime"`
	Devices []struct {
		Path string `json:"path"`
		Type string `json:"type"`
	} `json:"devices"`
}

type lkManifest struct {
	Onboot   []lkContainer `json:"onboot"`
	Services []lkContainer `json:"services"`
}

func find(t *testing.T, list []lkContainer, name string) lkContainer {
	t.Helper()
	for _, c := range list {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %q in the manifest", name)
	return lkContainer{}
}

func TestLinuxKitManifest(t *testing.T) {
	b, err := os.ReadFile("linuxkit/hwagent.yml")
	if err != nil {
		t.Fatal(err)
	}
	var m lkManifest
	if err := yaml.UnmarshalStrict(b, &m); err != nil {
		t.Fatalf("linuxkit/hwagent.yml: %v", err)
	}
	for _, tc := range []struct {
		c    lkContainer
		mode string
		argv []string
	}{
		{find(t, m.Onboot, "hwagent-register"), "register", []string{"/hwagent", "register", "--register-timeout=10s", "--start-jitter=2s"}},
		{find(t, m.Services, "hwagent"), "run", []string{"/hwagent", "run"}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			if !slices.Equal(tc.c.Command, tc.argv) {
				t.Errorf("command = %v, want %v", tc.c.Command, tc.argv)
			}
			for _, b := range tc.c.Binds {
				// A bind whose source may not exist yet (Hook creates
				// /var/run/worker in hook-docker, a service that starts
				// alongside) must be created first, or the container
				// does not start.
				if src := strings.Split(b, ":")[0]; strings.HasPrefix(src, "/var/run/") && !slices.Contains(tc.c.Runtime.Mkdir, src) {
					t.Errorf("bind %s: its source is not in runtime.mkdir", b)
				}
			}
			if !tc.c.Readonly {
				t.Error("readonly: false; the agent writes nothing to its root")
			}
			shared := map[string]string{"net": tc.c.Net, "pid": tc.c.PID, "uts": tc.c.UTS}
			for _, ns := range privileges.Namespaces {
				if slices.Contains(ns.Modes, tc.mode) && shared[ns.Name] != "host" {
					t.Errorf("%s: %q, want host (%s)", ns.Name, shared[ns.Name], ns.Why)
				}
			}
			for _, b := range privileges.Binds {
				want := b.Host + ":" + b.Container
				if b.ReadOnly {
					want += ":ro"
				}
				if !slices.Contains(tc.c.Binds, want) {
					t.Errorf("bind %s missing (%s)", want, b.Why)
				}
			}
			for _, c := range privileges.Capabilities {
				if slices.Contains(c.Modes, tc.mode) && !slices.Contains(tc.c.Capabilities, c.Name) {
					t.Errorf("capability %s missing (%s)", c.Name, c.Why)
				}
			}
			for _, have := range tc.c.Capabilities {
				needed := false
				for _, c := range privileges.Capabilities {
					needed = needed || (c.Name == have && slices.Contains(c.Modes, tc.mode))
				}
				if !needed {
					t.Errorf("capability %s granted but the agent does not need it in %s mode", have, tc.mode)
				}
			}
			charDevs := false
			for _, d := range tc.c.Devices {
				charDevs = charDevs || (d.Path == "all" && d.Type == "c")
			}
			if !charDevs {
				t.Error("no access to character devices: /dev/ipmi0 and /dev/tpmrm0 cannot be opened")
			}
			if !strings.HasPrefix(tc.c.Image, "hwagent/hwagent:") {
				t.Errorf("image = %q", tc.c.Image)
			}
		})
	}
	mods := find(t, m.Onboot, "hwagent-modules")
	for _, mod := range privileges.KernelModules {
		if !slices.Contains(mods.Command, mod) {
			t.Errorf("kernel module %s not loaded by hwagent-modules: %v", mod, mods.Command)
		}
	}
	if mods.Command[0] != "modprobe" || mods.Command[1] != "-a" {
		t.Errorf("modules command = %v: modprobe -a tries every module in one step", mods.Command)
	}
}
