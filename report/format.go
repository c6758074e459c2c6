package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/hwagent/hwagent/internal/termsafe"
	"github.com/hwagent/hwagent/inventory"
)

// Format is an output format.
type Format string

// Output formats.
const (
	Text Format = "text"
	JSON Format = "json"
	YAML Format = "yaml"
	// CSV is this machine's hardware.csv row; the caller renders it with
	// a plan (export), Write refuses it.
	CSV Format = "csv"
)

var formats = []Format{Text, JSON, YAML, CSV}

// FormatNames lists the formats by name.
func FormatNames() []string {
	out := make([]string, len(formats))
	for i, f := range formats {
		out[i] = string(f)
	}
	return out
}

// ParseFormat validates a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q (want %s)", s, strings.Join(FormatNames(), ", "))
}

// Options tune the text report.
type Options struct {
	// Color uses ANSI colours (only on a terminal).
	Color bool
	// LLDPWait is how long the LLDP collector listened (dump's
	// --lldp-wait); a wait shorter than switches' usual 30 s interval that
	// heard nothing gets a hint. 0: not known, no hint.
	LLDPWait time.Duration
}

// Write renders inv in format f.
func Write(w io.Writer, inv *inventory.Inventory, f Format, opts Options) error {
	switch f {
	case JSON:
		return WriteJSON(w, inv)
	case YAML:
		// YAML is read by people: machine strings are escaped (and the
		// YAML library refuses DEL and C1 controls outright).
		b, err := json.Marshal(safeCopy(inv))
		if err != nil {
			return err
		}
		y, err := yaml.JSONToYAML(b)
		if err != nil {
			return err
		}
		_, err = w.Write(y)
		return err
	case Text:
		return WriteText(w, inv, opts)
	case CSV:
		return fmt.Errorf("csv output needs a plan: use export")
	}
	return fmt.Errorf("unknown output format %q", f)
}

// WriteJSON writes the inventory document, indented, with a final newline.
// The data is exact; the characters a terminal would obey are spelled as
// \u escapes (termsafe.JSON).
func WriteJSON(w io.Writer, inv *inventory.Inventory) error {
	b, err := json.MarshalIndent(inv, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(termsafe.JSON(b), '\n'))
	return err
}

// Prepare builds encoding/json's encoders for the inventory's types, which
// every format uses (text and YAML through safeCopy). The first Marshal of
// an Inventory spends most of its time on reflection over some eighty
// types, whatever the values; called in a goroutine while the collectors
// wait on the kernel, that work is off the command's critical path.
func Prepare() { _, _ = json.Marshal(&inventory.Inventory{}) }

// safeCopy is a copy of inv whose every string is escaped for a terminal
// (termsafe): what the text and YAML reports render.
func safeCopy(inv *inventory.Inventory) *inventory.Inventory {
	if inv == nil {
		return nil
	}
	b, err := json.Marshal(inv)
	if err != nil {
		return inv
	}
	var c inventory.Inventory
	if err := json.Unmarshal(b, &c); err != nil {
		return inv
	}
	termsafe.EscapeAll(&c)
	return &c
}
