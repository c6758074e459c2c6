package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hwagent/hwagent/inventory"
)

// ErrNoIdentity: the inventory carries no identity key, so it cannot be
// matched to a machine.
var ErrNoIdentity = errors.New("inventory has no identity key (no system UUID, serial or MAC)")

// NewDocument prepares an inventory for storing: canonical JSON, digest,
// identity and its keys, summary. The identity is the server's own
// derivation from the System and Network sections (inventory.DeriveIdentity,
// with this server's placeholder rules: an older agent may have kept a
// template UUID); only when the document has neither section is the
// agent's identity used, without its placeholders. The document itself is
// kept as the agent sent it, so that its digest stays the agent's.
func NewDocument(inv *inventory.Inventory) (Document, error) { return NewDocumentJSON(inv, nil) }

// NewDocumentJSON is NewDocument for an inventory decoded from raw, its
// JSON as the agent sent it (nil: unknown): raw is stored as is, unless
// the server filled in the identity the agent left empty.
func NewDocumentJSON(inv *inventory.Inventory, raw []byte) (Document, error) {
	if inv == nil {
		return Document{}, errors.New("no inventory")
	}
	id := inventory.DeriveIdentity(inv)
	if len(id.Keys()) == 0 {
		id = withoutPlaceholders(inv.Identity)
	}
	keys := id.Keys()
	if len(keys) == 0 {
		return Document{}, ErrNoIdentity
	}
	if len(inv.Identity.Keys()) == 0 {
		inv.Identity = id
		raw = nil
	}
	if len(id.MACs) > inventory.MaxIdentityMACs {
		// Only a derived identity gets here: the agent's own is bounded
		// by inventory.CheckLimits.
		return Document{}, &inventory.LimitError{Field: "inventory.identity.macs", Got: len(id.MACs), Max: inventory.MaxIdentityMACs}
	}
	b := raw
	if b == nil {
		var err error
		if b, err = json.Marshal(inv); err != nil {
			return Document{}, fmt.Errorf("encode inventory: %w", err)
		}
	}
	// The identity as columns keep it, so that its keys and the keys
	// stored agree.
	id.SystemUUID, id.SystemSerial = ColumnText(id.SystemUUID), ColumnText(id.SystemSerial)
	id.BaseboardSerial, id.ChassisSerial = ColumnText(id.BaseboardSerial), ColumnText(id.ChassisSerial)
	for i := range id.MACs {
		id.MACs[i] = ColumnText(id.MACs[i])
	}
	keys = id.Keys()
	sum := Summarize(inv)
	sum.columnText()
	return Document{
		Inventory: inv,
		JSON:      b,
		Digest:    inventory.Digest(inv),
		Identity:  id,
		Keys:      dedupe(keys),
		Summary:   sum,
		Pending:   inv.Pending(),
	}, nil
}

// ColumnText is s as the store keeps it in a column: NUL (which
// PostgreSQL's text cannot hold, and SQLite's functions cut strings at)
// and bytes that are not UTF-8 (which PostgreSQL refuses too: a BMC's or
// an API server's answer quoted in an error) become U+FFFD, the character
// that stands for an unusable one. Both stores keep the same value, so
// keys match and filters find the same machines on either; the inventory
// document itself is kept verbatim (JSON escapes NUL as \u0000, and
// decoding JSON already made its strings UTF-8).
func ColumnText(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// withoutPlaceholders drops from an agent's identity what this server's
// rules call placeholders: a template UUID, a serial key whose serial (its
// last part) is a placeholder, MACs that identify no NIC (group, all-zero,
// malformed), each MAC spelt as the network section's are.
func withoutPlaceholders(id inventory.Identity) inventory.Identity {
	serial := func(key string) string {
		if i := strings.LastIndexByte(key, '/'); i >= 0 && inventory.IsPlaceholderSerial(key[i+1:]) {
			return ""
		}
		return key
	}
	out := inventory.Identity{
		SystemSerial: serial(id.SystemSerial), BaseboardSerial: serial(id.BaseboardSerial), ChassisSerial: serial(id.ChassisSerial),
	}
	if !inventory.IsPlaceholderUUID(id.SystemUUID) {
		out.SystemUUID = strings.ToLower(id.SystemUUID)
	}
	for _, m := range id.MACs {
		if m, ok := inventory.IdentityMAC(m); ok {
			out.MACs = append(out.MACs, m)
		}
	}
	if keys := out.Keys(); len(keys) > 0 {
		out.Basis = keys[0][:strings.IndexByte(keys[0], ':')]
	}
	out.MachineID = id.MachineID
	return out
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
