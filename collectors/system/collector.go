package system

import (
	"context"
	"errors"
	"fmt"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/inventory"
)

// New returns the system collector.
func New() collector.Collector { return systemCollector{} }

type systemCollector struct{}

func (systemCollector) Name() string { return "system" }

// Phase is Identity: the system UUID and the system, baseboard and
// chassis serials are identity keys.
func (systemCollector) Phase() collector.Phase { return collector.Identity }

// Collect maps the SMBIOS table, or falls back to /sys/class/dmi/id.
func (systemCollector) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	var w collector.Warnings
	sys, tableErr := fromTable(env, &w)
	if tableErr == nil {
		return apply(sys), w.Err()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sys, err := FromDMIID(env.Paths, &w)
	switch {
	case errors.Is(err, ErrNoDMIID):
		// No table and no digest: not applicable when the host exports
		// no table, failed when it exports one that could not be used.
		return nil, tableErr
	case err != nil:
		return nil, fmt.Errorf("%w; fallback: %w", tableErr, err)
	}
	w.Addf("SMBIOS table not used (%v): fell back to %s, which lacks ROM size, UEFI flag, SMBIOS version and the virtual-machine bit",
		tableErr, env.Paths.HostPath(env.Paths.Sys("class", "dmi", "id")))
	return apply(sys), w.Err()
}

// fromTable maps the SMBIOS table; a table that decoded only in part is
// used with a warning.
func fromTable(env *collector.Env, w *collector.Warnings) (*inventory.System, error) {
	t, err := env.SMBIOS()
	if err != nil {
		return nil, err
	}
	sys, err := t.System()
	if err != nil {
		return nil, fmt.Errorf("smbios: %w", err)
	}
	if p := t.Problem(); p != nil {
		w.Add(p)
	}
	return sys, nil
}

func apply(sys *inventory.System) collector.Apply {
	return func(inv *inventory.Inventory) { inv.System = sys }
}
