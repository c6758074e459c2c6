package collectors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/inventory"
)

// Collect runs specs and returns a complete inventory document: schema
// version, collection time, agent, every section that could be read, the
// derived identity and each collector's status.
func Collect(ctx context.Context, env *collector.Env, specs []Spec, agentVersion, mode string) *inventory.Inventory {
	inv := NewInventory(time.Now().UTC().Truncate(time.Millisecond), agentVersion, mode)
	Run(ctx, env, specs, inv)
	inv.Identity = inventory.DeriveIdentity(inv)
	return inv
}

// NewInventory returns an inventory document with nothing collected yet:
// schema version, collection time, agent.
func NewInventory(collectedAt time.Time, agentVersion, mode string) *inventory.Inventory {
	return &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		CollectedAt:   collectedAt,
		Agent:         inventory.Agent{Version: agentVersion, Mode: mode},
		Collectors:    []inventory.CollectorStatus{},
	}
}

// ErrNothingCollected is returned by Usable when every collector failed.
var ErrNothingCollected = errors.New("no collector could read anything")

// Usable reports whether inv holds anything: at least one collector must
// have succeeded (ok or partial).
func Usable(inv *inventory.Inventory) error {
	var failures []string
	for _, c := range inv.Collectors {
		switch c.Status {
		case inventory.StatusOK, inventory.StatusPartial:
			return nil
		case inventory.StatusFailed, inventory.StatusNotApplicable:
			failures = append(failures, fmt.Sprintf("%s (%s): %s", c.Name, c.Status, c.Error))
		}
	}
	if len(failures) == 0 {
		return fmt.Errorf("%w: no collector ran", ErrNothingCollected)
	}
	return fmt.Errorf("%w:\n  %s", ErrNothingCollected, strings.Join(failures, "\n  "))
}
