package report

import (
	"bytes"
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
		b, err := inventory.EncodeJSON(safeCopy(inv))
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
	c, err := inventory.EncodeJSON(inv)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.Grow(2*len(c) + 1)
	if err := json.Indent(&b, c, "", "  "); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err = w.Write(termsafe.JSON(b.Bytes()))
	return err
}

// safeCopy is a copy of inv whose every string is escaped for a terminal
// (termsafe): what the text and YAML reports render.
func safeCopy(inv *inventory.Inventory) *inventory.Inventory {
	if inv == nil {
		return nil
	}
	b, err := inventory.EncodeJSON(inv)
	if err != nil {
		return inv
	}
	var c inventory.Inventory
	if err := inventory.DecodeJSON(b, &c); err != nil {
		return inv
	}
	termsafe.EscapeAll(&c)
	return &c
}
