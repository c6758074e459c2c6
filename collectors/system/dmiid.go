package system

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/smbios"
)

// ErrNoDMIID means the host has no /sys/class/dmi/id.
var ErrNoDMIID = errors.New("no /sys/class/dmi/id")

// FromDMIID builds the system section from the kernel's DMI digest in
// sys/class/dmi/id (drivers/firmware/dmi-id.c). The kernel already trims
// the strings and prints product_uuid with SMBIOS 2.6+ byte order, as
// dmidecode does. Files the kernel leaves out are absent fields; files that
// exist but cannot be read (product_serial, product_uuid, board_serial and
// chassis_serial are root-only) are warnings.
func FromDMIID(p *hostpaths.Paths, w *collector.Warnings) (*inventory.System, error) {
	dir := p.Sys("class", "dmi", "id")
	if _, err := p.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNoDMIID
		}
		return nil, fmt.Errorf("stat %s: %w", p.HostPath(dir), err)
	}
	var unreadable []string
	read := func(name string) string {
		path := p.Sys("class", "dmi", "id", name)
		s, err := p.ReadString(path)
		switch {
		case err == nil:
			return strings.TrimSpace(s)
		case errors.Is(err, fs.ErrNotExist):
		case errors.Is(err, fs.ErrPermission):
			unreadable = append(unreadable, name)
		default:
			w.Addf("read %s: %v", p.HostPath(path), err)
		}
		return ""
	}
	s := &inventory.System{
		BIOS: inventory.BIOS{
			Vendor:           read("bios_vendor"),
			Version:          read("bios_version"),
			ReleaseDate:      read("bios_date"),
			Release:          read("bios_release"),
			FirmwareRevision: read("ec_firmware_release"),
		},
		Product: inventory.Product{
			Manufacturer: read("sys_vendor"),
			Name:         read("product_name"),
			Version:      read("product_version"),
			Serial:       read("product_serial"),
			UUID:         strings.ToLower(read("product_uuid")),
			SKU:          read("product_sku"),
			Family:       read("product_family"),
		},
	}
	board := inventory.Baseboard{
		Manufacturer: read("board_vendor"),
		Product:      read("board_name"),
		Version:      read("board_version"),
		Serial:       read("board_serial"),
		AssetTag:     read("board_asset_tag"),
	}
	if board.Manufacturer+board.Product+board.Version+board.Serial+board.AssetTag != "" {
		s.Baseboard = &board
	}
	chassis := inventory.Chassis{
		Manufacturer: read("chassis_vendor"),
		Version:      read("chassis_version"),
		Serial:       read("chassis_serial"),
		AssetTag:     read("chassis_asset_tag"),
	}
	if v := read("chassis_type"); v != "" {
		if id, err := strconv.ParseUint(v, 10, 8); err == nil {
			chassis.TypeID = uint8(id) & 0x7F
			chassis.Type = smbios.ChassisTypeName(chassis.TypeID)
		} else {
			w.Addf("%s: chassis_type %q is not a number", p.HostPath(dir), v)
		}
	}
	if chassis.Manufacturer+chassis.Version+chassis.Serial+chassis.AssetTag != "" || chassis.TypeID != 0 {
		s.Chassis = &chassis
	}
	if len(unreadable) > 0 {
		w.Addf("%s: not readable (root only): %s", p.HostPath(dir), strings.Join(unreadable, ", "))
	}
	s.MarkPlaceholders()
	s.Virtual, s.Hypervisor = smbios.DetectVirtual(false, s)
	return s, nil
}
