// Package layers is the house's floor plan: every package of the module in
// one layer, lowest first. A package imports only packages of its own
// layer or below, so the import graph runs one way (docs/architecture.md);
// the test of this package checks every import of the module against the
// table and fails on a package the table does not place.
package layers

import (
	"path"
	"strings"
)

// Layer is a set of packages, by import path relative to the module
// ("collectors/cpu"); a trailing "/..." takes the subtree.
type Layer struct {
	Name     string
	Packages []string
}

// Floors are the layers, lowest first.
var Floors = []Layer{
	{"foundation: the data model and small helpers with no knowledge of hosts", []string{
		"inventory", "inventory/...", "internal/secret", "internal/cmdline", "internal/termsafe",
		"internal/version", "internal/privileges", "internal/syslog",
	}},
	{"decoders and protocols: bytes in, values out; wire formats and their clients", []string{
		"smbios", "smbios/internal/jep106gen", "lldp", "lldp/pcapfile", "ipmi", "blockid",
		"collectors/pci/pciids", "bmcseal", "bmcuser", "server/api", "kube",
	}},
	{"the host: one value for the machine, live or recorded, and what reads it directly", []string{
		"hostpaths", "tpm", "agent/workflow",
	}},
	{"collectors: the contract, one collector per concern, the list", []string{
		"collectors/collector", "collectors/bmc", "collectors/cpu", "collectors/firmware", "collectors/host",
		"collectors/lldp", "collectors/memory", "collectors/network", "collectors/pci", "collectors/storage",
		"collectors/system", "collectors/tpm", "collectors/virt", "collectors",
	}},
	{"consumers of inventories: renderers, exporters, the protocol client, the server's parts", []string{
		"report", "export", "export/...", "server/client", "server/history", "server/identity",
		"server/reenroll", "server/bmcverify", "server/tpmverify", "server/store", "server/store/sqlstore",
	}},
	{"programs: the agent's loop, the reference server", []string{
		"agent", "server", "server/kubesync",
	}},
	{"commands, tools and end-to-end tests", []string{
		"cmd/...", "bench/...", "images", "images/...", "e2e", "server/e2e", "smbios/internal/jep106gen/gen",
	}},
}

// TestSupport are packages only tests (and tools) use: fakes, lab
// components, fixtures. They may import any layer but commands; no
// production package imports them.
var TestSupport = []string{
	"internal/lab", "internal/testutil", "internal/kubetest", "internal/layers",
	"server/servertest", "server/testinv",
	"collectors/collector/collectortest", "hostpaths/hostpathstest", "ipmi/ipmitest",
	"lldp/lldptest", "server/client/clienttest",
}

// Floor returns the index of rel's layer, or -1 when no layer places it.
// A package the table does not name sits on its parent directory's layer
// (a new server/foo is with server), so that adding a package does not
// need the table; a new top-level directory does.
func Floor(rel string) int {
	for q := rel; q != "."; q = path.Dir(q) {
		for i, l := range Floors {
			for _, p := range l.Packages {
				if match(p, q) {
					return i
				}
			}
		}
	}
	return -1
}

// IsTestSupport reports whether rel is a test support package.
func IsTestSupport(rel string) bool {
	for _, p := range TestSupport {
		if match(p, rel) {
			return true
		}
	}
	// fakes beside what they fake: ipmi/ipmitest, lldp/lldptest...
	return strings.HasSuffix(path.Base(rel), "test") && !strings.HasSuffix(rel, "_test")
}

func match(pattern, rel string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "/..."); ok {
		return strings.HasPrefix(rel, prefix+"/")
	}
	return pattern == rel
}
