package cpu

import (
	"context"
	"errors"
	"fmt"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/inventory"
)

// New returns the cpu collector.
func New() collector.Collector { return cpuCollector{} }

type cpuCollector struct{}

func (cpuCollector) Name() string { return "cpu" }

// Collect fills inventory.CPU. Without a readable /proc/cpuinfo it fails;
// every other missing file leaves its fields empty, and unexpected read
// errors make the result partial.
func (cpuCollector) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	p := env.Paths
	var w collector.Warnings
	name := p.Proc("cpuinfo")
	data, err := p.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p.HostPath(name), err)
	}
	info, err := ParseCPUInfo(data)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", p.HostPath(name), err)
	}
	out := &inventory.CPU{
		ModelName: info.ModelName,
		Vendor:    info.Vendor,
		Family:    info.Family,
		Model:     info.Model,
		Stepping:  info.Stepping,
		Microcode: info.Microcode,
		Flags:     info.Flags,
	}

	t := readTopology(p, &w)
	out.Packages, out.PhysicalCores = t.packages, t.physicalCores
	out.LogicalThreads = len(t.known)
	if out.LogicalThreads == 0 {
		out.LogicalThreads = info.Processors
	}
	out.OnlineCPUs = t.onlineRaw
	if out.OnlineCPUs == "" {
		out.OnlineCPUs = FormatCPUList(t.online)
	}
	out.OnlineCount = len(t.online)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out.NUMANodes = readNUMA(p, &w)
	out.Caches = readCaches(p, t.online, &w)
	out.Sockets = sockets(env, &w)
	freq, haveFreq := readCPUFreq(p)
	out.Frequency = Frequency(freq, haveFreq, info, out.Sockets)

	return func(inv *inventory.Inventory) { inv.CPU = out }, w.Err()
}

// sockets returns the SMBIOS type 4 structures; a host without an SMBIOS
// table has none, which is not a problem.
func sockets(env *collector.Env, w *collector.Warnings) []inventory.CPUSocket {
	t, err := env.SMBIOS()
	if err != nil {
		if !errors.Is(err, collector.ErrNotApplicable) {
			w.Add(err)
		}
		return nil
	}
	s, err := t.CPUSockets()
	if err != nil {
		w.Addf("smbios processor sockets: %v", err)
	}
	if p := t.Problem(); p != nil {
		w.Add(p) // processor structures may be missing
	}
	return s
}
