package collector

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/smbios"
)

// loadSMBIOS reads sys/firmware/dmi/tables/{smbios_entry_point,DMI} from
// the host and decodes them.
func loadSMBIOS(p *hostpaths.Paths) (*smbios.Table, error) {
	entryPath := p.Sys("firmware", "dmi", "tables", "smbios_entry_point")
	entry, err := p.ReadFile(entryPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s not found", smbios.ErrNoTable, p.HostPath(entryPath))
		}
		return nil, fmt.Errorf("read SMBIOS entry point: %w", err)
	}
	tablePath := p.Sys("firmware", "dmi", "tables", "DMI")
	table, err := p.ReadFile(tablePath)
	if err != nil {
		return nil, fmt.Errorf("read SMBIOS table: %w", err)
	}
	return smbios.Parse(entry, table)
}
