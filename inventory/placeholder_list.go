package inventory

import "strings"

// KnownPlaceholder is a placeholder value seen in real firmware.
type KnownPlaceholder struct {
	// Value as seen (compared ignoring case, spaces and punctuation; UUIDs
	// as canonical lower-case strings).
	Value string
	// Field is where it was seen: "uuid", "serial", "asset_tag",
	// "manufacturer", "product", "version", "sku", "family",
	// "part_number"; the rules apply it to every field.
	Field string
	// Seen names where: a public report (owner/repo#number), a public
	// source file that lists it (owner/repo:path) or a fixture (testdata
	// of package smbios, from ../shared/fixtures/smbios).
	Seen string
}

// knownPlaceholders is the curated list. Add a value only with where it was
// seen; a structural rule (placeholder.go) that covers it is better still,
// and the list then documents it.
var knownPlaceholders = []KnownPlaceholder{
	// UUIDs.
	{"03000200-0400-0500-0006-000700080009", "uuid", "AMI Aptio template: osquery/osquery#4374; two Beelink mini-PCs, timmo001/system-bridge#3532; oshi/oshi#2417; ruaan-deysel/ha-unraid#166; fixture Synology-RS3614xsp"},
	{"03020100-0504-0706-0809-0a0b0c0d0e0f", "uuid", "osquery/osquery#4374 (also the counting-bytes rule)"},
	{"10000000-0000-8000-0040-000000000000", "uuid", "osquery/osquery#4374"},
	{"00000000-0000-0000-0000-000000000000", "uuid", "dmidecode's \"Not Settable\": osquery/osquery#4374; System76 Oryx Pro, system76/firmware-open#432 (also the all-bytes-equal rule)"},
	{"ffffffff-ffff-ffff-ffff-ffffffffffff", "uuid", "dmidecode's \"Not Present\": MSI boards, FOGProject/fogproject#196; MSI Cubi mini-PCs, siderolabs/talos#8804; oshi/oshi#2417; fixture MSI-MS-7816 (also the all-bytes-equal rule)"},
	{"fefefefe-fefe-fefe-fefe-fefefefefefe", "uuid", "osquery/osquery#8887 (also the all-bytes-equal rule)"},
	{"8a95d198-7f46-11e5-bf8b-08002704d48e", "uuid", "EDK2 ArmPlatformPkg default type 1 UUID on every SolidRun LX2160A CEx7, SolidRun/lx2160a_uefi#4"},
	{"12345678-1234-5678-90ab-cddeefaabbcc", "uuid", "Insyde reference firmware, Asustor AS6604T, mafredri/asustor-platform-driver#38"},
	{"4c4c4544-0000-2010-8020-80c04f202020", "uuid", "Dell boards whose service tag was never programmed (Dell spells the tag into the UUID; seven spaces): every replacement motherboard until a technician enters the tag; freebsd/freebsd-src:libexec/rc/rc.d/hostid (valid_hostid refuses it)"},
	{"07090201-0103-0301-0807-060504030201", "uuid", "freebsd/freebsd-src:libexec/rc/rc.d/hostid"},
	{"11111111-2222-3333-4444-555555555555", "uuid", "freebsd/freebsd-src:libexec/rc/rc.d/hostid"},
	{"890e2d14-cacd-45d1-ae66-bc80e8bfeb0f", "uuid", "freebsd/freebsd-src:libexec/rc/rc.d/hostid"},
	{"8e275844-178f-44a8-aceb-a7d7e5178c63", "uuid", "freebsd/freebsd-src:libexec/rc/rc.d/hostid"},
	{"dc698397-fa54-4cf2-82c8-b1b5307a6a7f", "uuid", "freebsd/freebsd-src:libexec/rc/rc.d/hostid"},

	// Serial numbers and asset tags.
	{"To Be Filled By O.E.M.", "serial", "fixtures MSI-MS-7816, SuperMicro-X9DBL, Synology-RS3614xsp; ASUS MAXIMUS VII HERO chassis, dylanaraps/neofetch#1373; LibreHardwareMonitor/LibreHardwareMonitor#105"},
	{"To Be Filled By O.E.M", "asset_tag", "fixture Asus-UX307LA (CPU asset tag and part number)"},
	{"Fill By OEM", "asset_tag", "fixtures MSI-MS-7816, Synology-RS3614xsp (CPU asset tag, part number)"},
	{"Default string", "serial", "fixture GigaByte-X399; MSI boards, fusioninventory/fusioninventory-for-glpi#2823; ASUS ROG ZENITH EXTREME ALPHA, electrified/asus-wmi-sensors#15"},
	{"System Serial Number", "serial", "fleetdm/fleet#27470; MicrosoftDocs/OfficeDocs-O365ITPro#710; lf-edge/eve#6381"},
	{"Default Serial", "serial", "fleetdm/fleet#27470"},
	{"0123456789", "serial", "fixture SuperMicro-X9DBL (chassis serial, versions); Supermicro FatTwin, Solvik/netbox-agent#46; lf-edge/eve#6381 (also the counting-digits rule)"},
	{"123456789", "serial", "System76 Oryx Pro, system76/firmware-open#432 (also the counting-digits rule)"},
	{"9876543210", "asset_tag", "AMI's DIMM asset tag: fixtures Asus-UX307LA, MSI-MS-7816, Synology-RS3614xsp (also the counting-digits rule)"},
	{"BSN12345678901234567", "serial", "fixture Asus-UX307LA, baseboard serial (also the counting-digits rule)"},
	{"ATN12345678901234567", "asset_tag", "fixture Asus-UX307LA (also the counting-digits rule)"},
	{"Type1 - 123456789", "serial", "Insyde template, mafredri/asustor-platform-driver#38 (also the Insyde rule)"},
	{"Dimm0_AssetTag", "asset_tag", "fixture SuperMicro-X9DBL (Dimm0_AssetTag… Dimm2_AssetTag; the DIMM asset tag rule)"},
	{"xxxxxxxxxxxxxxxx", "serial", "electrified/asus-wmi-sensors#15 (the one-repeated-character rule)"},
	{"00000000", "serial", "DIMM serials: fixtures Asus-UX307LA, Lenovo-ThinkPad-T480, Lenovo-ThinkPad-W510 (the one-repeated-character rule)"},
	{"Not Specified", "serial", "fixtures GigaByte-X399, MSI-MS-7816, SuperMicro-X9DBL, VMWare; system76/firmware-open#432"},
	{"Not Available", "asset_tag", "fixtures Lenovo-ThinkPad-T480, Lenovo-ThinkPad-W510"},
	{"Not Applicable", "serial", "lf-edge/eve#6381"},
	{"No Asset Information", "asset_tag", "fixtures Lenovo-ThinkPad-T480, Lenovo-ThinkPad-W510"},
	{"No Asset Tag", "asset_tag", "fixture VMWare"},
	{"None", "serial", "fixtures Lenovo-ThinkPad-T480, VMWare"},
	{"N/A", "version", "fixture VMWare"},
	{"NULL", "serial", "fixture Asus-UX307LA (CPU serial)"},
	{"Unknown", "serial", "fixture GigaByte-X399 (CPU serial, asset tag, part number); fixture VMWare (family)"},
	{"Not Present", "uuid", "dmidecode's word for an all-FF UUID, kept by tools that store its text: fixture MSI-MS-7816"},
	{"Not Settable", "uuid", "dmidecode's word for an all-00 UUID: system76/firmware-open#432"},

	// Manufacturers, product names, versions.
	{"System manufacturer", "manufacturer", "ASUS boards, systemd/systemd#24446"},
	{"System Product Name", "product", "ASUS boards, systemd/systemd#24446"},
	{"System Version", "version", "ASUS MAXIMUS VII HERO, dylanaraps/neofetch#1373"},
	{"All Series", "product", "ASUS MAXIMUS VII HERO, dylanaraps/neofetch#1373"},
	{"x.x", "version", "fixtures GigaByte-X399, Gigabyte-GA-MA74GMT-S2 (baseboard version)"},
	{"Undefined", "manufacturer", "fixture SuperMicro-X9DBL (DIMM manufacturer)"},
	{"No Enclosure", "manufacturer", "fixture VMWare (chassis manufacturer)"},
	{"Type1 - TBD by OEM", "version", "Insyde template, mafredri/asustor-platform-driver#38 (the Insyde rule)"},
	{"Type2 - Board Manufacturer", "manufacturer", "Insyde template, mafredri/asustor-platform-driver#38 (the Insyde rule)"},
}

// KnownPlaceholders returns the curated list of placeholder values with
// where each was seen.
func KnownPlaceholders() []KnownPlaceholder {
	return append([]KnownPlaceholder(nil), knownPlaceholders...)
}

// knownValue and knownUUID index knownPlaceholders: strings squashed (see
// squash), UUIDs in lower case.
var knownValue, knownUUID = indexPlaceholders(knownPlaceholders)

func indexPlaceholders(list []KnownPlaceholder) (values, uuids map[string]bool) {
	values, uuids = map[string]bool{}, map[string]bool{}
	for _, p := range list {
		if _, ok := parseUUID(p.Value); ok {
			uuids[strings.ToLower(p.Value)] = true
			continue
		}
		values[squash(p.Value)] = true
	}
	return values, uuids
}
