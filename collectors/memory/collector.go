package memory

import (
	"context"
	"errors"
	"fmt"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// New returns the memory collector.
func New() collector.Collector { return memoryCollector{} }

type memoryCollector struct{}

func (memoryCollector) Name() string { return "memory" }

// Collect reads MemTotal and the SMBIOS memory devices. It fails only when
// neither can be read; a host without an SMBIOS table is not a problem.
func (memoryCollector) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	var w collector.Warnings
	mem := &inventory.Memory{}
	path := env.Paths.Proc("meminfo")
	total, meminfoErr := readMemTotal(env, path)
	if meminfoErr != nil {
		meminfoErr = fmt.Errorf("%s: %w", env.Paths.HostPath(path), meminfoErr)
	}
	mem.TotalBytes = total
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	modules, tableErr := modules(env)
	switch {
	case meminfoErr != nil && (tableErr != nil || len(modules) == 0):
		return nil, errors.Join(meminfoErr, tableErr)
	case meminfoErr != nil:
		w.Add(meminfoErr)
	case tableErr != nil:
		w.Add(tableErr)
	}
	Summarize(mem, modules)
	blocks, err := readBlocks(env.Paths)
	switch {
	case err == nil:
		mem.BlockBytes, mem.OnlineBlocks, mem.MemoryBlocksBytes = blocks.BlockBytes, blocks.Online, blocks.Bytes()
		if mem.InstalledBytes == 0 && blocks.Online > 0 {
			mem.InstalledBytes, mem.InstalledSource = blocks.Bytes(), inventory.InstalledFromMemoryBlocks
		}
	case !errors.Is(err, ErrNoBlocks) && !hostpaths.Ignorable(err):
		w.Add(err)
	}
	return func(inv *inventory.Inventory) { inv.Memory = mem }, w.Err()
}

func readMemTotal(env *collector.Env, path string) (uint64, error) {
	data, err := env.Paths.ReadFile(path)
	if err != nil {
		return 0, err
	}
	m, err := ParseMeminfo(data)
	if err != nil {
		return 0, err
	}
	return m.MemTotal()
}

// modules returns the SMBIOS type 17 devices: none, without error, when the
// host exports no table.
func modules(env *collector.Env) ([]inventory.MemoryModule, error) {
	t, err := env.SMBIOS()
	if errors.Is(err, collector.ErrNotApplicable) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m, err := t.MemoryModules()
	if err != nil {
		return m, fmt.Errorf("smbios memory devices: %w", err)
	}
	// A table decoded only in part may lack memory devices: partial.
	return m, t.Problem()
}

// Summarize sets the modules of mem and what derives from them: the slot
// count, how many are populated and their installed size.
func Summarize(mem *inventory.Memory, modules []inventory.MemoryModule) {
	mem.Modules = modules
	mem.SlotCount = len(modules)
	mem.PopulatedCount, mem.InstalledBytes = 0, 0
	for _, m := range modules {
		if m.Populated {
			mem.PopulatedCount++
			mem.InstalledBytes += m.SizeBytes
		}
	}
	if mem.InstalledBytes > 0 {
		mem.InstalledSource = inventory.InstalledFromSMBIOS
	}
}
