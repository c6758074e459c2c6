// Package smbios reads the host's SMBIOS (DMI) table and maps its structures
// onto the inventory: system, baseboard, chassis and BIOS (types 0-3),
// processor sockets (type 4), memory devices (type 17), the IPMI device
// (type 38), the Redfish host interface (type 42) and the TPM (type 43).
//
// Decoding is done by u-root's pkg/smbios, which works on bytes
// (ParseInfo(entry, table)) and tolerates a table without an end-of-table
// structure, which Linux 6.6.39+ can export. The mapping functions here are
// pure: they take a parsed Table and return inventory values.
package smbios

import (
	"errors"
	"fmt"
	"io/fs"

	usmbios "github.com/u-root/u-root/pkg/smbios"

	"github.com/hwagent/hwagent/hostpaths"
)

// ErrNoTable means the host exports no SMBIOS table (no
// /sys/firmware/dmi/tables): VMs without SMBIOS, some arm64 boards.
var ErrNoTable = errors.New("no SMBIOS table")

// Table is a parsed SMBIOS table.
type Table struct {
	*usmbios.Info
}

// Load reads sys/firmware/dmi/tables/{smbios_entry_point,DMI} from the host.
func Load(p *hostpaths.Paths) (*Table, error) {
	entryPath := p.Sys("firmware", "dmi", "tables", "smbios_entry_point")
	entry, err := p.ReadFile(entryPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s not found", ErrNoTable, p.HostPath(entryPath))
		}
		return nil, fmt.Errorf("read SMBIOS entry point: %w", err)
	}
	tablePath := p.Sys("firmware", "dmi", "tables", "DMI")
	table, err := p.ReadFile(tablePath)
	if err != nil {
		return nil, fmt.Errorf("read SMBIOS table: %w", err)
	}
	return Parse(entry, table)
}

// Parse decodes an entry point and a structure table.
func Parse(entry, table []byte) (t *Table, err error) {
	defer func() {
		// u-root's parser is defensive but a corrupt table must never crash
		// the boot: turn a panic into an error.
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("corrupt SMBIOS table: %v", r)
		}
	}()
	info, err := usmbios.ParseInfo(entry, table)
	if err != nil {
		return nil, fmt.Errorf("parse SMBIOS table: %w", err)
	}
	return &Table{Info: info}, nil
}
