package smbios

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hwagent/hwagent/inventory"
)

// The tests in this file decode every fixture and compare the result with
// what the real dmidecode printed for the same bytes. Where the inventory
// deliberately differs from dmidecode's text, the conversion is done on
// dmidecode's side and commented:
//   - "Not Specified", "<BAD INDEX>" and "<OUT OF SPEC>" are absent ("");
//     a firmware string that literally says "Not Specified" is kept by the
//     inventory, so "Not Specified" compares equal to "" (notSpecified);
//   - sizes, speeds, widths and voltages are numbers ("16 GB" → bytes,
//     "2933 MT/s" or "1333 MHz" → 2933, "1.2 V" → 1200 mV), "Unknown" → 0;
//   - the UUID is lower case; "Not Settable" is the all-zero UUID and "Not
//     Present" the all-FF one (listed in Placeholders instead);
//   - processor status "Populated, Enabled" is Populated plus Status;
//   - the IPMI interface type is its short name ("KCS").

// notSpecified makes dmidecode's rendering of string index 0 compare equal
// to an absent string, on both sides.
var notSpecified = cmp.Transformer("notSpecified", func(s string) string {
	if s == "Not Specified" {
		return ""
	}
	return s
})

// dmiStr converts a dmidecode string value to the inventory's.
func dmiStr(v string) string {
	switch v {
	case "Not Specified", "<BAD INDEX>", "<OUT OF SPEC>":
		return ""
	}
	return v
}

var numUnit = regexp.MustCompile(`^([0-9.]+)(?: (bytes|kB|MB|GB|TB|MHz|MT/s|bits|V))?$`)

// dmiNum parses "16 GB", "2933 MT/s", "64 bits", "1.2 V" or "32" into the
// number and its unit; "Unknown" and missing values are 0.
func dmiNum(t *testing.T, v string) (float64, string) {
	t.Helper()
	if v == "" || v == "Unknown" || v == "No Module Installed" {
		return 0, ""
	}
	m := numUnit.FindStringSubmatch(v)
	if m == nil {
		t.Fatalf("cannot parse dmidecode value %q", v)
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return n, m[2]
}

// dmiBytes converts a dmidecode size to bytes.
func dmiBytes(t *testing.T, v string) uint64 {
	n, unit := dmiNum(t, v)
	shift := map[string]uint{"": 0, "bytes": 0, "kB": 10, "MB": 20, "GB": 30, "TB": 40}[unit]
	return uint64(n) << shift
}

func dmiUint(t *testing.T, v string) uint64 {
	n, _ := dmiNum(t, v)
	return uint64(n)
}

// dmiVolts converts "1.2 V"; legacy sockets list every supported voltage
// ("5.0 V 3.3 V"), of which the inventory keeps the lowest.
func dmiVolts(t *testing.T, v string) float64 {
	fields := strings.Fields(v)
	if len(fields) > 2 {
		v = strings.Join(fields[len(fields)-2:], " ")
	}
	n, _ := dmiNum(t, v)
	return n
}

func dmiUUID(v string) string {
	switch v {
	case "Not Settable":
		return "00000000-0000-0000-0000-000000000000"
	case "Not Present":
		return "ffffffff-ffff-ffff-ffff-ffffffffffff"
	}
	return strings.ToLower(v)
}

func TestSystemAgreesWithDmidecode(t *testing.T) {
	t.Parallel()
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			blocks := parseDmidecodeText(t, name)
			got, err := parseFixture(t, name).System()
			if err != nil {
				t.Fatal(err)
			}
			want := &inventory.System{}
			if b := ofType(blocks, 0); len(b) > 0 {
				a := b[0].Attrs
				want.BIOS = inventory.BIOS{
					Vendor:           dmiStr(a["Vendor"]),
					Version:          dmiStr(a["Version"]),
					ReleaseDate:      dmiStr(a["Release Date"]),
					Release:          a["BIOS Revision"],
					FirmwareRevision: a["Firmware Revision"],
					ROMSizeBytes:     dmiBytes(t, a["ROM Size"]),
					UEFI:             contains(b[0].Lists["Characteristics"], "UEFI is supported"),
				}
			}
			if b := ofType(blocks, 1); len(b) > 0 {
				a := b[0].Attrs
				want.Product = inventory.Product{
					Manufacturer: dmiStr(a["Manufacturer"]),
					Name:         dmiStr(a["Product Name"]),
					Version:      dmiStr(a["Version"]),
					Serial:       dmiStr(a["Serial Number"]),
					UUID:         dmiUUID(a["UUID"]),
					SKU:          dmiStr(a["SKU Number"]),
					Family:       dmiStr(a["Family"]),
					WakeUpType:   dmiStr(a["Wake-up Type"]),
				}
			}
			if b := ofType(blocks, 2); len(b) > 0 {
				a := b[0].Attrs
				want.Baseboard = &inventory.Baseboard{
					Manufacturer: dmiStr(a["Manufacturer"]),
					Product:      dmiStr(a["Product Name"]),
					Version:      dmiStr(a["Version"]),
					Serial:       dmiStr(a["Serial Number"]),
					AssetTag:     dmiStr(a["Asset Tag"]),
				}
			}
			if b := ofType(blocks, 3); len(b) > 0 {
				a := b[0].Attrs
				want.Chassis = &inventory.Chassis{
					Manufacturer: dmiStr(a["Manufacturer"]),
					Type:         dmiStr(a["Type"]),
					Version:      dmiStr(a["Version"]),
					Serial:       dmiStr(a["Serial Number"]),
					AssetTag:     dmiStr(a["Asset Tag"]),
					SKU:          dmiStr(a["SKU Number"]),
				}
			}
			opts := cmp.Options{
				notSpecified,
				cmpopts.IgnoreFields(inventory.System{}, "SMBIOSVersion", "Virtual", "Hypervisor"),
				cmpopts.IgnoreFields(inventory.BIOS{}, "Placeholders"),
				cmpopts.IgnoreFields(inventory.Product{}, "Placeholders"),
				cmpopts.IgnoreFields(inventory.Baseboard{}, "Placeholders"),
				cmpopts.IgnoreFields(inventory.Chassis{}, "Placeholders", "TypeID"),
			}
			if diff := cmp.Diff(want, got, opts); diff != "" {
				t.Errorf("System() disagrees with dmidecode (-want +got):\n%s", diff)
			}
			if got.Chassis != nil && got.Chassis.Type != "" && chassisTypes[got.Chassis.TypeID-1] != got.Chassis.Type {
				t.Errorf("chassis TypeID %d does not name %q", got.Chassis.TypeID, got.Chassis.Type)
			}
			if header := fmt.Sprintf("SMBIOS %s present.", got.SMBIOSVersion); !headerSays(t, name, header) {
				t.Errorf("SMBIOSVersion %q: dmidecode did not print %q", got.SMBIOSVersion, header)
			}
		})
	}
}

func TestCPUSocketsAgreeWithDmidecode(t *testing.T) {
	t.Parallel()
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := parseFixture(t, name).CPUSockets()
			if err != nil {
				t.Fatal(err)
			}
			var want []inventory.CPUSocket
			for _, b := range ofType(parseDmidecodeText(t, name), 4) {
				a := b.Attrs
				c := inventory.CPUSocket{
					Designation:      dmiStr(a["Socket Designation"]),
					Type:             dmiStr(a["Type"]),
					Family:           dmiStr(a["Family"]),
					Manufacturer:     dmiStr(a["Manufacturer"]),
					ID:               a["ID"],
					Version:          dmiStr(a["Version"]),
					VoltageVolts:     dmiVolts(t, a["Voltage"]),
					ExternalClockMHz: uint16(dmiUint(t, a["External Clock"])),
					MaxSpeedMHz:      uint16(dmiUint(t, a["Max Speed"])),
					CurrentSpeedMHz:  uint16(dmiUint(t, a["Current Speed"])),
					Upgrade:          dmiStr(a["Upgrade"]),
					Serial:           dmiStr(a["Serial Number"]),
					AssetTag:         dmiStr(a["Asset Tag"]),
					PartNumber:       dmiStr(a["Part Number"]),
					CoreCount:        uint16(dmiUint(t, a["Core Count"])),
					CoresEnabled:     uint16(dmiUint(t, a["Core Enabled"])),
					ThreadCount:      uint16(dmiUint(t, a["Thread Count"])),
				}
				// "Populated, Enabled" or "Unpopulated".
				if st, ok := strings.CutPrefix(a["Status"], "Populated, "); ok {
					c.Populated, c.Status = true, dmiStr(st)
				}
				want = append(want, c)
			}
			opts := cmp.Options{notSpecified, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(inventory.CPUSocket{}, "Placeholders")}
			if diff := cmp.Diff(want, got, opts); diff != "" {
				t.Errorf("CPUSockets() disagrees with dmidecode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMemoryModulesAgreeWithDmidecode(t *testing.T) {
	t.Parallel()
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := parseFixture(t, name).MemoryModules()
			if err != nil {
				t.Fatal(err)
			}
			var want []inventory.MemoryModule
			for _, b := range ofType(parseDmidecodeText(t, name), 17) {
				a := b.Attrs
				m := inventory.MemoryModule{
					Locator:        dmiStr(a["Locator"]),
					BankLocator:    dmiStr(a["Bank Locator"]),
					Populated:      a["Size"] != "No Module Installed",
					SizeBytes:      dmiBytes(t, a["Size"]),
					Type:           dmiStr(a["Type"]),
					FormFactor:     dmiStr(a["Form Factor"]),
					TotalWidthBits: int(dmiUint(t, a["Total Width"])),
					DataWidthBits:  int(dmiUint(t, a["Data Width"])),
				}
				if d := a["Type Detail"]; d != "None" {
					m.TypeDetail = splitTypeDetail(d)
				}
				// dmidecode 3.2, which printed the fixtures, still prints
				// the fields after Type Detail for an empty slot; 3.6 and
				// the inventory leave them out.
				if m.Populated {
					m.SpeedMTs = uint32(dmiUint(t, a["Speed"]))
					m.ConfiguredSpeedMTs = uint32(dmiUint(t, firstOf(a, "Configured Memory Speed", "Configured Clock Speed")))
					m.Manufacturer = dmiStr(a["Manufacturer"])
					// dmidecode prints a raw JEP106 ID as it is; the
					// inventory keeps it beside the name (the names are
					// checked against decode-dimms in jep106_test.go).
					if j, ok := ParseJEP106(m.Manufacturer); ok {
						m.ManufacturerID, m.Manufacturer = m.Manufacturer, j.Name()
					}
					m.Serial = dmiStr(a["Serial Number"])
					m.AssetTag = dmiStr(a["Asset Tag"])
					m.PartNumber = dmiStr(a["Part Number"])
					m.Rank = int(dmiUint(t, a["Rank"]))
					m.ConfiguredVoltageMillivolts = int(dmiVolts(t, a["Configured Voltage"])*1000 + 0.5)
				}
				want = append(want, m)
			}
			opts := cmp.Options{notSpecified, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(inventory.MemoryModule{}, "Placeholders")}
			if diff := cmp.Diff(want, got, opts); diff != "" {
				t.Errorf("MemoryModules() disagrees with dmidecode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIPMIInterfaceAgreesWithDmidecode(t *testing.T) {
	t.Parallel()
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := parseFixture(t, name).IPMIInterface()
			if err != nil {
				t.Fatal(err)
			}
			var want *inventory.IPMIInterface
			if b := ofType(parseDmidecodeText(t, name), 38); len(b) > 0 {
				a := b[0].Attrs
				// "KCS (Keyboard Control Style)" → "KCS".
				typ, _, _ := strings.Cut(a["Interface Type"], " ")
				// "0x0000000000000CA2 (I/O)" → "0xca2", "io".
				addr, space, _ := strings.Cut(a["Base Address"], " ")
				n, err := strconv.ParseUint(strings.TrimPrefix(addr, "0x"), 16, 64)
				if err != nil {
					t.Fatal(err)
				}
				want = &inventory.IPMIInterface{
					Type:            typ,
					SpecVersion:     a["Specification Version"],
					BaseAddress:     fmt.Sprintf("0x%x", n),
					AddressSpace:    map[string]string{"(I/O)": "io", "(Memory-mapped)": "memory", "(SMBus)": "smbus"}[space],
					I2CSlaveAddress: a["I2C Slave Address"],
					InterruptNumber: uint8(dmiUint(t, a["Interrupt Number"])),
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("IPMIInterface() disagrees with dmidecode (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFixtureCoverage makes sure the comparisons above compare something:
// the numbers of structures dmidecode decoded in each fixture.
func TestFixtureCoverage(t *testing.T) {
	t.Parallel()
	tb := parseFixture(t, "SuperMicro-X9DBL")
	sockets, _ := tb.CPUSockets()
	modules, _ := tb.MemoryModules()
	ipmi, _ := tb.IPMIInterface()
	if len(sockets) != 2 || len(modules) != 6 || ipmi == nil {
		t.Errorf("SuperMicro-X9DBL: %d sockets, %d modules, IPMI %v; want 2, 6, KCS", len(sockets), len(modules), ipmi)
	}
	vm := parseFixture(t, "VMWare")
	sockets, _ = vm.CPUSockets()
	modules, _ = vm.MemoryModules()
	if len(sockets) != 128 || len(modules) != 128 {
		t.Errorf("VMWare: %d sockets, %d modules; want 128, 128", len(sockets), len(modules))
	}
}

// splitTypeDetail splits dmidecode's space-joined Type Detail back into
// flags, knowing the flags with spaces in their names.
func splitTypeDetail(s string) []string {
	var out []string
	for s != "" {
		matched := false
		for _, f := range memoryTypeDetailsByLength() {
			if rest, ok := strings.CutPrefix(s, f); ok && (rest == "" || rest[0] == ' ') {
				out = append(out, f)
				s = strings.TrimPrefix(rest, " ")
				matched = true
				break
			}
		}
		if !matched {
			return append(out, s)
		}
	}
	return out
}

// memoryTypeDetailsByLength lists the flag names dmidecode 3.2 and 3.6
// print, longest first so that prefixes do not win.
func memoryTypeDetailsByLength() []string {
	return []string{
		"Unbuffered (Unregistered)", "Registered (Buffered)", "Static Column",
		"Pseudo-static", "Non-Volatile", "Window DRAM", "Cache DRAM",
		"Fast-paged", "Synchronous", "Unknown", "RAMBus", "LRDIMM", "Other",
		"CMOS", "EDO",
	}
}

func firstOf(a map[string]string, keys ...string) string {
	for _, k := range keys {
		if v, ok := a[k]; ok {
			return v
		}
	}
	return ""
}

func headerSays(t *testing.T, name, line string) bool {
	for _, l := range strings.Split(readText(t, name), "\n") {
		if l == line {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
