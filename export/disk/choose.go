package disk

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/inventory"
)

// Classes of disk_prefer.
const (
	NVMe = "nvme"
	SSD  = "ssd"
	HDD  = "hdd"
)

// Policy is how an install disk is chosen: a plan's disk fields, checked
// and compiled.
type Policy struct {
	// Disks are the plan's per-machine disks by machine key (plan.Key).
	Disks map[string]string
	// Disk is the plan's disk for every machine.
	Disk string
	// RootDevice and RootDevices are the plan's root device hints, for
	// every machine and by machine key.
	RootDevice  plan.Hints
	RootDevices map[string]plan.Hints
	// MinSize, Prefer (classes, best first) and ExcludeTransports shape
	// the rule; AllowRemovable and AllowInUse lift its refusals.
	MinSize                    plan.Size
	Prefer                     []string
	ExcludeTransports          map[string]bool
	AllowRemovable, AllowInUse bool
}

// Compile checks a plan's disk fields and fills their defaults (16 GiB,
// nvme then ssd then hdd, usb excluded). disks are the plan's per-machine
// disks, keys already normalized. All problems are returned together.
func Compile(p plan.Plan, disks map[string]string) (*Policy, error) {
	pol := &Policy{Disks: disks, Disk: p.Disk, MinSize: p.DiskMinSize, Prefer: p.DiskPrefer,
		AllowRemovable: p.DiskAllowRemovable, AllowInUse: p.DiskAllowInUse}
	var errs []error
	if pol.MinSize == 0 {
		pol.MinSize = plan.DefaultDiskMinSize
	}
	if len(pol.Prefer) == 0 {
		pol.Prefer = []string{NVMe, SSD, HDD}
	}
	for _, cl := range pol.Prefer {
		if cl != NVMe && cl != SSD && cl != HDD {
			errs = append(errs, fmt.Errorf("disk_prefer %q: want nvme, ssd or hdd", cl))
		}
	}
	ex := p.DiskExcludeTransports
	if ex == nil {
		ex = []string{"usb"}
	}
	pol.ExcludeTransports = map[string]bool{}
	for _, t := range ex {
		pol.ExcludeTransports[strings.ToLower(t)] = true
	}
	if len(p.RootDevice) > 0 {
		h, err := plan.CompileHints("root_device", p.RootDevice)
		if err != nil {
			errs = append(errs, err)
		}
		pol.RootDevice = h
	}
	pol.RootDevices = map[string]plan.Hints{}
	for k, rd := range p.RootDevices {
		h, err := plan.CompileHints("root_devices["+k+"]", rd)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pol.RootDevices[plan.Key(k)] = h
	}
	return pol, errors.Join(errs...)
}

// Choose picks the install disk, first of:
//  1. the plan's disks entry for the machine;
//  2. the plan's disk;
//  3. the plan's root_devices entry for the machine, else its root_device:
//     the first disk (in the inventory's order, as Ironic takes the first
//     in lsblk's) that matches every Ironic root device hint;
//  4. the rule: among disks that are not read-only, not removable (unless
//     disk_allow_removable), not on an excluded transport (usb by
//     default) and at least disk_min_size (16 GiB), the first class of
//     disk_prefer (nvme, then ssd, then hdd) that has one, and in it the
//     smallest disk (then the first by name).
//
// Whatever chose it, a disk in use (inventory.Disk.InUse) or whose
// contents could not be read is refused unless disk_allow_in_use. The
// result is /dev/<kernel name>.
func (p *Policy) Choose(inv *inventory.Inventory, keys []string) (string, error) {
	var disks []inventory.Disk
	if inv.Storage != nil {
		disks = inv.Storage.Disks
	}
	byPath := func(path string) *inventory.Disk {
		for i := range disks {
			if "/dev/"+disks[i].Name == path {
				return &disks[i]
			}
		}
		return nil
	}
	named := func(d, why string) (string, error) {
		x := byPath(d)
		if x == nil {
			if inv.Storage == nil {
				return d, nil
			}
			return "", fmt.Errorf("%s %s: no such disk (have %s)", why, d, Names(disks))
		}
		if reason := p.InUse(x); reason != "" {
			return "", fmt.Errorf("%s %s is in use (%s); set disk_allow_in_use to install over it", why, d, reason)
		}
		return d, nil
	}
	if d, key, conflict := plan.Lookup(p.Disks, keys); key != "" {
		if conflict != "" {
			return "", fmt.Errorf("disks: entries %s and %s both match", key, conflict)
		}
		return named(d, "disks["+key+"]")
	}
	if d := p.Disk; d != "" {
		return named(d, "disk")
	}
	if len(disks) == 0 {
		return "", fmt.Errorf("no install disk: the inventory lists no disks; set disk or disks")
	}
	hints, what := p.RootDevice, "root_device"
	if h, key, conflict := lookupHints(p.RootDevices, keys); key != "" {
		if conflict != "" {
			return "", fmt.Errorf("root_devices: entries %s and %s both match", key, conflict)
		}
		hints, what = h, "root_devices["+key+"]"
	}
	if hints != nil {
		var busy []string
		for i := range disks {
			d := &disks[i]
			if !hints.Matches(d) {
				continue
			}
			if reason := p.InUse(d); reason != "" {
				busy = append(busy, d.Name+" ("+reason+")")
				continue
			}
			return "/dev/" + d.Name, nil
		}
		if len(busy) > 0 {
			return "", fmt.Errorf("%s %s: only disks in use match: %s; set disk_allow_in_use to install over them", what, hints, strings.Join(busy, ", "))
		}
		return "", fmt.Errorf("%s %s: no disk matches (have %s)", what, hints, Names(disks))
	}
	type cand struct {
		d     *inventory.Disk
		class int
	}
	var cands []cand
	var rejected []string
	for i := range disks {
		d := &disks[i]
		cl := Class(d)
		rank := -1
		for j, p := range p.Prefer {
			if p == cl {
				rank = j
				break
			}
		}
		var why string
		switch {
		case d.ReadOnly:
			why = "read-only"
		case d.Removable && !p.AllowRemovable:
			why = "removable"
		case p.ExcludeTransports[strings.ToLower(d.Transport)]:
			why = d.Transport
		case plan.Size(d.SizeBytes) < p.MinSize:
			why = fmt.Sprintf("%s, below the %s floor", plan.Size(d.SizeBytes).Human(), p.MinSize.Human())
		case rank < 0:
			why = cl + " not in disk_prefer"
		default:
			if r := p.InUse(d); r != "" {
				why = "in use: " + r
			}
		}
		if why != "" {
			rejected = append(rejected, d.Name+" ("+why+")")
			continue
		}
		cands = append(cands, cand{d, rank})
	}
	if len(cands) == 0 {
		return "", fmt.Errorf("no install disk: %s", strings.Join(rejected, ", "))
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.class != b.class {
			return a.class < b.class
		}
		if a.d.SizeBytes != b.d.SizeBytes {
			return a.d.SizeBytes < b.d.SizeBytes
		}
		return a.d.Name < b.d.Name
	})
	return "/dev/" + cands[0].d.Name, nil
}

// InUse says why a disk may not be installed to ("" when it may): what
// the agent found on it, or that it could not read it.
func (p *Policy) InUse(d *inventory.Disk) string {
	if p.AllowInUse {
		return ""
	}
	if d.InUse {
		return strings.Join(d.InUseReasons, ", ")
	}
	if d.SignatureError != "" {
		return "contents unknown: " + d.SignatureError
	}
	return ""
}

// lookupHints is lookup for root_devices (hints are not comparable: a
// conflict is two keys of one machine naming different entries).
func lookupHints(m map[string]plan.Hints, keys []string) (plan.Hints, string, string) {
	var v plan.Hints
	key, conflict := "", ""
	for _, k := range keys {
		x, ok := m[k]
		if !ok {
			continue
		}
		if key == "" {
			v, key = x, k
		} else if x.String() != v.String() {
			conflict = k
		}
	}
	return v, key, conflict
}

// Class is nvme, ssd or hdd.
func Class(d *inventory.Disk) string {
	switch {
	case d.Transport == "nvme" || strings.HasPrefix(d.Name, "nvme"):
		return NVMe
	case !d.Rotational:
		return SSD
	}
	return HDD
}

// Names lists disks as /dev/NAME for messages.
func Names(disks []inventory.Disk) string {
	if len(disks) == 0 {
		return "no disks"
	}
	names := make([]string, len(disks))
	for i, d := range disks {
		names[i] = "/dev/" + d.Name
	}
	return strings.Join(names, ", ")
}
