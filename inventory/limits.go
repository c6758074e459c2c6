package inventory

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Bounds of an inventory document. A server refuses a document past any of
// them (400 naming the field) before doing any work with it: every entry of
// a list costs it something (identity keys are table rows, neighbours are
// rows, a difference is a history line), and a hostile or broken agent must
// not be able to make one request cost seconds of the database's only
// writer. The bounds are far above real machines: the largest servers have a
// few dozen NICs and some hundred PCI functions (thousands with SR-IOV
// virtual functions).
const (
	// MaxIdentityMACs bounds identity.macs, which become identity keys.
	MaxIdentityMACs = 1024
	// MaxIdentityValueBytes bounds every identity value (a UUID, a
	// "manufacturer/product/serial", a MAC).
	MaxIdentityValueBytes = 512
	// MaxIdentityKeys bounds the identity keys of a document: the four
	// SMBIOS-based ones and the MACs.
	MaxIdentityKeys = 4 + MaxIdentityMACs
	// DefaultMaxEntries bounds every list without a bound of its own.
	DefaultMaxEntries = 1024
	// MaxStringBytes bounds every string without a bound of its own.
	MaxStringBytes = 64 << 10
)

// entryLimits are the lists whose bound differs from DefaultMaxEntries, by
// JSON path without indices.
var entryLimits = map[string]int{
	"identity.macs":      MaxIdentityMACs,
	"network.interfaces": 4096,
	"pci.devices":        8192,
	"storage.disks":      4096,
}

// Limits returns every bound that differs from the defaults, by JSON path
// without indices ("pci.devices"): lists in entries, strings in bytes. It
// is what docs/protocol.md lists.
func Limits() map[string]int {
	out := map[string]int{}
	for k, v := range entryLimits {
		out[k] = v
	}
	for _, f := range []string{"machine_id", "basis", "system_uuid", "system_serial", "baseboard_serial", "chassis_serial", "macs[]"} {
		out["identity."+f] = MaxIdentityValueBytes
	}
	return out
}

// LimitError is a document past a bound.
type LimitError struct {
	// Field is the JSON path with indices: "inventory.network.interfaces[2].addresses".
	Field string
	// Got is the number of entries (Bytes false) or bytes (Bytes true); Max
	// the bound.
	Got, Max int
	Bytes    bool
}

func (e *LimitError) Error() string {
	unit := "entries"
	if e.Bytes {
		unit = "bytes"
	}
	return fmt.Sprintf("field %s: %d %s, at most %d", e.Field, e.Got, unit, e.Max)
}

// CheckLimits returns a *LimitError for the first list or string of inv
// past its bound, else nil. It allocates nothing unless it fails.
func CheckLimits(inv *Inventory) error {
	if inv == nil {
		return nil
	}
	plan := limitPlanOnce()
	var w limitWalk
	if w.walk(plan, reflect.ValueOf(inv).Elem()) {
		return nil
	}
	return w.err
}

// limitNode is the bound-checking plan of one type at one JSON path,
// built once from the Inventory type.
type limitNode struct {
	name   string // JSON name of the field ("" for a list's entries)
	kind   reflect.Kind
	max    int // entries of a list or map, bytes of a string
	fields []limitField
	elem   *limitNode // the entries of a list or map, the target of a pointer
}

type limitField struct {
	index int
	node  *limitNode
}

var limitPlanOnce = sync.OnceValue(func() *limitNode {
	return buildLimitPlan(reflect.TypeOf(Inventory{}), "", "", 0)
})

// buildLimitPlan builds the plan of type t at path key (JSON names joined
// by dots, without indices). Types that hold nothing to bound are nil.
func buildLimitPlan(t reflect.Type, name, key string, depth int) *limitNode {
	if depth > 32 {
		panic("inventory: limit plan: type nesting deeper than 32 at " + key)
	}
	n := &limitNode{name: name, kind: t.Kind()}
	switch t.Kind() {
	case reflect.String:
		n.max = MaxStringBytes
		if strings.HasPrefix(key, "identity.") {
			n.max = MaxIdentityValueBytes
		}
		return n
	case reflect.Pointer:
		if n.elem = buildLimitPlan(t.Elem(), name, key, depth+1); n.elem == nil {
			return nil
		}
		return n
	case reflect.Slice, reflect.Map:
		n.max = DefaultMaxEntries
		if m, ok := entryLimits[key]; ok {
			n.max = m
		}
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			n.kind, n.max = reflect.String, MaxStringBytes // []byte is a base64 string
			return n
		}
		n.elem = buildLimitPlan(t.Elem(), "", key+"[]", depth+1)
		if t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && n.elem == nil {
			n.elem = &limitNode{kind: reflect.String, max: MaxStringBytes}
		}
		return n
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			jname, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if jname == "-" {
				continue
			}
			if jname == "" {
				jname = f.Name
			}
			child := key + "." + jname
			if key == "" {
				child = jname
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				child, jname = key, "" // an embedded struct's fields are its parent's
			}
			if c := buildLimitPlan(f.Type, jname, child, depth+1); c != nil {
				n.fields = append(n.fields, limitField{index: i, node: c})
			}
		}
		if len(n.fields) == 0 {
			return nil
		}
		return n
	}
	return nil
}

// limitWalk checks a value against a plan, remembering the way down so
// that a failure can name the field.
type limitWalk struct {
	way []step
	err *LimitError
}

type step struct {
	node  *limitNode
	index int // the entry of a list; -1 otherwise
}

func (w *limitWalk) walk(n *limitNode, v reflect.Value) bool {
	switch n.kind {
	case reflect.String:
		if v.Len() > n.max {
			w.fail(n, v.Len(), true)
			return false
		}
	case reflect.Pointer:
		if !v.IsNil() {
			return w.walk(n.elem, v.Elem())
		}
	case reflect.Slice:
		if v.Len() > n.max {
			w.fail(n, v.Len(), false)
			return false
		}
		if n.elem == nil {
			return true
		}
		w.way = append(w.way, step{n, 0})
		for i := 0; i < v.Len(); i++ {
			w.way[len(w.way)-1].index = i
			if !w.walk(n.elem, v.Index(i)) {
				return false
			}
		}
		w.way = w.way[:len(w.way)-1]
	case reflect.Map:
		if v.Len() > n.max {
			w.fail(n, v.Len(), false)
			return false
		}
		it := v.MapRange()
		w.way = append(w.way, step{n, -1})
		for it.Next() {
			if it.Key().Kind() == reflect.String && it.Key().Len() > MaxStringBytes {
				w.fail(&limitNode{name: "(key)"}, it.Key().Len(), true)
				return false
			}
			if n.elem != nil && !w.walk(n.elem, it.Value()) {
				return false
			}
		}
		w.way = w.way[:len(w.way)-1]
	case reflect.Struct:
		w.way = append(w.way, step{n, -1})
		for _, f := range n.fields {
			if !w.walk(f.node, v.Field(f.index)) {
				return false
			}
		}
		w.way = w.way[:len(w.way)-1]
	}
	return true
}

func (w *limitWalk) fail(n *limitNode, got int, bytes bool) {
	var b strings.Builder
	b.WriteString("inventory")
	for _, s := range w.way {
		if s.node.name != "" && s.node.kind == reflect.Struct {
			b.WriteString("." + s.node.name)
		}
		if s.node.kind == reflect.Slice {
			if s.node.name != "" {
				b.WriteString("." + s.node.name)
			}
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		}
	}
	if n.name != "" {
		b.WriteString("." + n.name)
	}
	w.err = &LimitError{Field: b.String(), Got: got, Max: n.max, Bytes: bytes}
}
