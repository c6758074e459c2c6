package store

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hwagent/hwagent/inventory"
)

// ErrNoIdentity: the inventory carries no identity key, so it cannot be
// matched to a machine.
var ErrNoIdentity = errors.New("inventory has no identity key (no system UUID, serial or MAC)")

// NewDocument prepares an inventory for storing: canonical JSON, digest,
// identity keys and summary. The keys are the agent's (inv.Identity); when
// the agent sent none they are derived from the System and Network sections.
func NewDocument(inv *inventory.Inventory) (Document, error) {
	if inv == nil {
		return Document{}, errors.New("no inventory")
	}
	keys := inv.Identity.Keys()
	if len(keys) == 0 {
		id := inventory.DeriveIdentity(inv)
		keys = id.Keys()
		if len(keys) > 0 {
			inv.Identity = id
		}
	}
	if len(keys) == 0 {
		return Document{}, ErrNoIdentity
	}
	b, err := json.Marshal(inv)
	if err != nil {
		return Document{}, fmt.Errorf("encode inventory: %w", err)
	}
	return Document{
		Inventory: inv,
		JSON:      b,
		Digest:    inventory.Digest(inv),
		Keys:      dedupe(keys),
		Summary:   Summarize(inv),
	}, nil
}

func dedupe(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	out := keys[:0:0]
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
