package inventory

import (
	"regexp"
	"strings"
	"testing"
)

// Every curated value is flagged by the rule of the field it was seen in,
// and says where it was seen.
func TestKnownPlaceholders(t *testing.T) {
	t.Parallel()
	seen := regexp.MustCompile(`[\w.-]+/[\w.-]+(#\d+|:[\w./-]+)|fixtures? [A-Z]`)
	list := KnownPlaceholders()
	if len(list) < 30 {
		t.Fatalf("%d known placeholders", len(list))
	}
	for _, p := range list {
		field := p.Field
		if _, isUUID := parseUUID(p.Value); field == "uuid" && !isUUID {
			field = "name" // dmidecode's words for a UUID it will not print
		}
		if !IsPlaceholderField(field, p.Value) {
			t.Errorf("known placeholder %q (%s) is not flagged", p.Value, p.Field)
		}
		if !seen.MatchString(p.Seen) {
			t.Errorf("known placeholder %q: where it was seen (%q) names no report or fixture", p.Value, p.Seen)
		}
	}
}

func TestIsPlaceholder(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"", "  ", "To Be Filled By O.E.M.", "to be filled by o.e.m", "TO BE FILLED BY OEM", "Default string",
		"0123456789", "Not Specified", "System Serial Number", "Chassis Serial Number", "Base Board Serial Number",
		"Serial Number", "Asset Tag", "SKU Number", "00000000", "FFFFFFFF", "........", "---", "None",
		"Type2 - Board Serial Number", "Type1 - 123456789", "Type1 - TBD by OEM", "type3 - chassis version",
		"xxxxxxxxxxxxxxxx", "BSN12345678901234567", "9876543210", "1234567890", "S1234567", "Dimm3_AssetTag",
		"System Product Name", "System manufacturer", "All Series", "x.x", "No Enclosure",
		"000-000-000", "0 0 0 0 0 0", "F.F.F.F", "x x x",
	} {
		if !IsPlaceholder(s) {
			t.Errorf("IsPlaceholder(%q) = false", s)
		}
	}
	// Real values: serials and products of the fixtures and of public
	// reports (Supermicro FatTwin, Solvik/netbox-agent#46), Dell service
	// tags, VMware's serial.
	for _, s := range []string{
		"VMware-56 4d 3c 43 1c 4c 47 a8-7c 1b 79 d0 9c 14 7b 5e", "R90QR6J0", "X9DBL-3F/X9DBL-iF", "0A1B2C",
		"9000116105", "VM147S018307", "FCN0CJ03468352B", "PC131TBF", "L1HF9380025", "1ZHRZ05562E", "R86W27P",
		"S16604645724353", "CF418AE16N30163", "VM155S027997", "BZ982FM", "123456", "2345 6789", "62B5CED09D1D555C",
		"Rev 1.xx", "1.0", "SYS-F618R2-RTPT+", "LENOVO_MT_20L8_BU_Think_FM_ThinkPad T480s", "ACME-R220-0001",
	} {
		if IsPlaceholder(s) {
			t.Errorf("IsPlaceholder(%q) = true", s)
		}
	}
}

func TestIsPlaceholderSerial(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"0": true, "NA": true, " 1 ": true, "-64": false, "R86W27P": false, "n/a": true} {
		if got := IsPlaceholderSerial(s); got != want {
			t.Errorf("IsPlaceholderSerial(%q) = %v, want %v", s, got, want)
		}
	}
	// Short values are fine outside serials: a version "1".
	if IsPlaceholderField("version", "1") || !IsPlaceholderField("asset_tag", "1") {
		t.Error("the short-value rule applies to serials and asset tags only")
	}
}

func TestCountingRun(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]int{
		"0123456789": 10, "9876543210": 10, "1234567890": 10, "8901234": 7, "BSN12345678901234567": 17,
		"9000116105": 2, "abc": 0, "1": 1, "135": 1, "12-34": 2, "2100123": 4, "": 0,
	} {
		if got := countingRun(s); got != want {
			t.Errorf("countingRun(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestIsPlaceholderUUID(t *testing.T) {
	t.Parallel()
	for u, want := range map[string]bool{
		"00000000-0000-0000-0000-000000000000": true,
		"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF": true,
		"fefefefe-fefe-fefe-fefe-fefefefefefe": true,
		"03000200-0400-0500-0006-000700080009": true, // AMI's template
		"00020003-0004-0005-0006-000700080009": true, // the same bytes from an SMBIOS 2.5 table
		"03020100-0504-0706-0809-0a0b0c0d0e0f": true, // bytes 00..0F
		"00010203-0405-0607-0809-0a0b0c0d0e0f": true,
		"0f0e0d0c-0b0a-0908-0706-050403020100": true,
		"10000000-0000-8000-0040-000000000000": true,
		"8A95D198-7F46-11E5-BF8B-08002704D48E": true,
		"12345678-1234-5678-90ab-cddeefaabbcc": true,
		// Dell boards whose service tag was never programmed (its seven
		// characters are spaces in the UUID), in both byte orders, and the
		// rest of FreeBSD's list (rc.d/hostid).
		"4c4c4544-0000-2010-8020-80c04f202020": true,
		"44454C4C-0000-1020-8020-80C04F202020": true,
		"07090201-0103-0301-0807-060504030201": true,
		"11111111-2222-3333-4444-555555555555": true,
		"890e2d14-cacd-45d1-ae66-bc80e8bfeb0f": true,
		"8e275844-178f-44a8-aceb-a7d7e5178c63": true,
		"dc698397-fa54-4cf2-82c8-b1b5307a6a7f": true,
		"4c4c4544-ffff-ffff-ffff-ffffffffffff": true,
		"ffffffff-ffff-ffff-ffff-ffffffff0000": false, // the rule is about the last twelve bytes
		"":                                     true,
		"not-a-uuid":                           true,
		"0300020004000500-0006-000700080009xx": true,
		// Real UUIDs of the fixtures: a Gigabyte board whose AMI template
		// is filled with per-board bytes, a MAC in ASCII padded with FF, a
		// Supermicro MAC after zeros, a Dell-style UUID from the project's
		// QEMU guests, VMware's.
		"032e02b4-0499-0533-a106-940700080009": false,
		"31433646-3635-3532-3445-3546ffffffff": false,
		"00000000-0000-0000-0000-0cc47a133878": false,
		"850f3e82-9f38-694a-8840-2f8b0cf5d3d0": false,
		"c0ffee00-1234-5678-9abc-def012345678": false,
		"4c4c4544-0042-4a10-8052-b2c04f395a32": false,
		"c3e24d56-c0c3-e2e1-4622-554dc5eb6ba1": false,
	} {
		if got := IsPlaceholderUUID(u); got != want {
			t.Errorf("IsPlaceholderUUID(%q) = %v, want %v", u, got, want)
		}
	}
}

// FuzzPlaceholder: the rules never panic, the serial rule only adds to the
// general one, and they ignore surrounding blanks.
func FuzzPlaceholder(f *testing.F) {
	for _, p := range KnownPlaceholders() {
		f.Add(p.Value)
	}
	f.Add("VM147S018307")
	f.Fuzz(func(t *testing.T, s string) {
		g := IsPlaceholder(s)
		if g && !IsPlaceholderSerial(s) {
			t.Errorf("%q: a placeholder, but not as a serial", s)
		}
		if IsPlaceholder(" "+s+"\t") != g {
			t.Errorf("%q: surrounding blanks change the answer", s)
		}
		if IsPlaceholderUUID(strings.ToUpper(s)) != IsPlaceholderUUID(strings.ToLower(s)) {
			t.Errorf("%q: case changes the UUID answer", s)
		}
	})
}
