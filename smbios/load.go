package smbios

import (
	"errors"
	"fmt"

	usmbios "github.com/u-root/u-root/pkg/smbios"
)

// ErrNoTable means the host exports no SMBIOS table (no
// /sys/firmware/dmi/tables): VMs without SMBIOS, some arm64 boards. The
// collectors' loader (collectors/collector) returns it; the package itself
// only decodes bytes.
var ErrNoTable = errors.New("no SMBIOS table")

// Table is a parsed SMBIOS table.
type Table struct {
	*usmbios.Info

	// problem says why the structure list ended before the end of the
	// data (a corrupt structure after good ones); nil when it did not.
	problem error
}

// Parse decodes an entry point and a structure table.
//
// Structures are read up to the end-of-table structure (type 127) or the end
// of the data, whichever comes first; bytes after the end-of-table structure
// are ignored, as dmidecode does. A table without an end-of-table structure
// is accepted. When a structure cannot be split after at least one good one,
// the good ones are kept and Problem reports the rest; when not even the
// first structure can be read, Parse fails.
func Parse(entry, table []byte) (t *Table, err error) {
	defer func() {
		// u-root's parser is defensive but a corrupt table must never crash
		// the boot: turn a panic into an error.
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("corrupt SMBIOS table: %v", r)
		}
	}()
	e32, e64, err := usmbios.ParseEntry(entry)
	if err != nil {
		return nil, fmt.Errorf("parse SMBIOS entry point: %w", err)
	}
	info := &usmbios.Info{Entry32: e32, Entry64: e64}
	t = &Table{Info: info}
	data := table
	for len(data) > 0 {
		s, rest, err := usmbios.ParseTable(data)
		if s != nil && s.Length < 4 {
			// A structure shorter than its own header (zero padding, a
			// broken table): dmidecode stops here too.
			s, err = nil, fmt.Errorf("structure length %d is shorter than its header", s.Length)
		}
		if s != nil && err == nil {
			if max, ok := maxLength(s, t.ver()); ok && int(s.Length) > max {
				// The length byte says the structure runs into what
				// follows: its fields and strings, and every structure
				// after it, would be read from the wrong bytes.
				s, err = nil, fmt.Errorf("structure type %d (handle 0x%04X) has length %d, longer than SMBIOS defines for it (%d): not trusted from here",
					s.Type, s.Handle, s.Length, max)
			}
		}
		if s == nil {
			off := len(table) - len(data)
			if len(info.Tables) == 0 {
				return nil, fmt.Errorf("parse SMBIOS table: structure at offset %d: %w", off, err)
			}
			t.problem = fmt.Errorf("SMBIOS table truncated: structure at offset %d (after %d good ones): %w", off, len(info.Tables), err)
			break
		}
		info.Tables = append(info.Tables, s)
		if s.Type == usmbios.TableTypeEndOfTable {
			break
		}
		data = rest
	}
	if len(info.Tables) == 0 {
		return nil, errors.New("parse SMBIOS table: no structures")
	}
	return t, nil
}

// Problem reports why the table was only partly decoded, or nil.
func (t *Table) Problem() error {
	if t == nil {
		return nil
	}
	return t.problem
}

// Version is the SMBIOS version the entry point announces: "3.2.0" for a
// 64-bit (_SM3_) entry point, "2.7" for a 32-bit (_SM_) one.
func (t *Table) Version() string {
	switch {
	case t == nil || t.Info == nil:
		return ""
	case t.Entry64 != nil:
		return fmt.Sprintf("%d.%d.%d", t.Entry64.SMBIOSMajorVersion, t.Entry64.SMBIOSMinorVersion, t.Entry64.SMBIOSDocRev)
	case t.Entry32 != nil:
		return fmt.Sprintf("%d.%d", t.Entry32.SMBIOSMajorVersion, t.Entry32.SMBIOSMinorVersion)
	}
	return ""
}

// ver is the version as dmidecode compares it: major<<8 | minor, with
// dmidecode's fix-ups of versions some BIOSes misreport (2.31 and 2.33 mean
// 2.3, 2.51 means 2.6).
func (t *Table) ver() uint16 {
	if t == nil || t.Info == nil {
		return 0
	}
	v := uint16(t.MajorVersion())<<8 | uint16(t.MinorVersion())
	switch v {
	case 0x021F, 0x0221:
		v = 0x0203
	case 0x0233:
		v = 0x0206
	}
	return v
}

// structures returns the structures of type typ, in table order.
func (t *Table) structures(typ uint8) []structure {
	if t == nil || t.Info == nil {
		return nil
	}
	var out []structure
	for _, s := range t.Tables {
		if s != nil && uint8(s.Type) == typ {
			out = append(out, structure{s})
		}
	}
	return out
}
