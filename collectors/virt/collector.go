package virt

import (
	"context"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/inventory"
)

// New returns the virtualization collector. It runs after the cpu and pci
// collectors in the list: its Apply adds the evidence of their sections
// (the cpuinfo flag, the PCI functions) before deciding.
func New() collector.Collector { return virtCollector{} }

type virtCollector struct{}

func (virtCollector) Name() string { return "virtualization" }

// Collect reads CPUID, the clocksource, /sys/hypervisor, the device tree
// and the firmware. Unreadable sources are warnings; the decision is made
// in the Apply, with the CPU and PCI sections.
func (virtCollector) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	var w collector.Warnings
	s := sources{p: env.Paths, w: &w}
	var own []evidence
	own = append(own, s.cpuid()...)
	own = append(own, s.clocksource()...)
	own = append(own, s.sysHypervisor()...)
	own = append(own, s.deviceTree()...)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	own = append(own, s.firmware(env)...)
	return func(inv *inventory.Inventory) {
		ev := append([]evidence(nil), own...)
		if inv.CPU != nil {
			ev = append(ev, s.cpuinfoFlag(inv.CPU.Flags)...)
		}
		ev = append(ev, pciEvidence(inv.PCI)...)
		v := &inventory.Virtualization{Evidence: ev}
		v.Type, v.Hypervisor = Decide(ev)
		inv.Virtualization = v
	}, w.Err()
}
