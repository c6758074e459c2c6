package plan

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// VLAN is the plan's VLAN: a fixed ID, or FromLLDP to take the port VLAN ID
// the switch advertises (LLDP 802.1 PVID or CDP native VLAN) on the boot NIC.
// In YAML: `vlan: 100`, `vlan: lldp`, `vlan: {id: 100}` or
// `vlan: {from: lldp}`. The zero value means no VLAN.
type VLAN struct {
	// ID is the fixed VLAN ID; checked per machine (1-4094) so that an
	// out-of-range value names the machines it would be written for.
	ID int `json:"id,omitempty"`
	// FromLLDP takes the VLAN from the boot NIC's LLDP/CDP neighbour.
	FromLLDP bool `json:"-"`
}

// IsZero reports whether no VLAN is configured.
func (v VLAN) IsZero() bool { return v.ID == 0 && !v.FromLLDP }

// String renders the VLAN as the flag takes it.
func (v VLAN) String() string {
	switch {
	case v.FromLLDP:
		return "lldp"
	case v.ID != 0:
		return strconv.Itoa(v.ID)
	}
	return ""
}

// Set implements pflag.Value: a number or "lldp".
func (v *VLAN) Set(s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		*v = VLAN{}
	case strings.EqualFold(s, "lldp"):
		*v = VLAN{FromLLDP: true}
	default:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("vlan %q: want a VLAN ID or \"lldp\"", s)
		}
		*v = VLAN{ID: n}
	}
	return nil
}

// Type implements pflag.Value.
func (v *VLAN) Type() string { return "id|lldp" }

// UnmarshalJSON accepts 100, "100", "lldp", {"id": 100} or {"from": "lldp"}.
func (v *VLAN) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*v = VLAN{ID: n}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return v.Set(s)
	}
	var obj struct {
		ID   int    `json:"id"`
		From string `json:"from"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&obj); err != nil {
		return fmt.Errorf("vlan: want an ID, \"lldp\", {id: N} or {from: lldp}")
	}
	switch {
	case obj.From != "" && obj.ID != 0:
		return fmt.Errorf("vlan: give id or from, not both")
	case obj.From != "" && !strings.EqualFold(obj.From, "lldp"):
		return fmt.Errorf("vlan: from %q: only \"lldp\" is known", obj.From)
	case obj.From != "":
		*v = VLAN{FromLLDP: true}
	default:
		*v = VLAN{ID: obj.ID}
	}
	return nil
}

// MarshalJSON writes the short form.
func (v VLAN) MarshalJSON() ([]byte, error) {
	if v.FromLLDP {
		return json.Marshal("lldp")
	}
	return json.Marshal(v.ID)
}
