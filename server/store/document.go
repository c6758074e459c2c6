package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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
	if len(keys) > inventory.MaxIdentityKeys {
		// Only a derived identity gets here: the agent's own is bounded
		// by inventory.CheckLimits.
		return Document{}, &inventory.LimitError{Field: "inventory.identity.macs", Got: len(keys) - 4, Max: inventory.MaxIdentityMACs}
	}
	b, err := json.Marshal(inv)
	if err != nil {
		return Document{}, fmt.Errorf("encode inventory: %w", err)
	}
	for i := range keys {
		keys[i] = ColumnText(keys[i])
	}
	sum := Summarize(inv)
	sum.columnText()
	return Document{
		Inventory: inv,
		JSON:      b,
		Digest:    inventory.Digest(inv),
		Keys:      dedupe(keys),
		Summary:   sum,
	}, nil
}

// ColumnText is s as the store keeps it in a column: NUL (which
// PostgreSQL's text cannot hold, and SQLite's functions cut strings at)
// becomes U+FFFD, the character that stands for an unusable one. Both
// stores keep the same value, so keys match and filters find the same
// machines on either; the inventory document itself is kept verbatim
// (JSON escapes NUL as \u0000).
func ColumnText(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
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
