package inventory

import "strings"

// The placeholder patterns are matched by hand rather than with regexp:
// IsPlaceholder runs on every boot, and compiling and running regular
// expressions is code the agent otherwise never executes, which costs a
// netbooted machine under emulation (or a small CPU) most at start
// (docs/e2e.md, "Faster to registered"). placeholder_match_test.go checks
// each against the regular expression it replaces.

// isSpace is regexp's \s: tab, newline, form feed, carriage return, space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func trimSpaces(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	return s
}

// digits is the length of the run of ASCII digits s starts with.
func digits(s string) int {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}

// isInsydeTemplate is `^type\s?\d{1,3}\s*-\s*\S`: Insyde's reference
// firmware fills every field with "TypeN - " and a description or a sample
// value ("Type1 - TBD by OEM", "Type1 - 123456789", "Type2 - Board Serial
// Number"; seen on an Asustor AS6604T, mafredri/asustor-platform-driver#38).
func isInsydeTemplate(t string) bool {
	rest, ok := strings.CutPrefix(t, "type")
	if !ok {
		return false
	}
	if len(rest) > 0 && isSpace(rest[0]) {
		rest = rest[1:]
	}
	n := digits(rest)
	if n == 0 || n > 3 {
		return false
	}
	rest = trimSpaces(rest[n:])
	if !strings.HasPrefix(rest, "-") {
		return false
	}
	rest = trimSpaces(rest[1:])
	return rest != ""
}

// isDIMMAssetTagTemplate is `^dimm\d+_assettag$`: "Dimm0_AssetTag" … in
// the SuperMicro X9DBL table (fixture SuperMicro-X9DBL).
func isDIMMAssetTagTemplate(t string) bool {
	rest, ok := strings.CutPrefix(t, "dimm")
	if !ok {
		return false
	}
	n := digits(rest)
	return n > 0 && rest[n:] == "_assettag"
}

// echoPrefixes and echoFields make fieldNameEcho.
var (
	echoPrefixes = []string{"", "system", "chassis", "baseboard", "board", "mainboard", "product"}
	echoFields   = map[string]bool{
		"serialnumber": true, "serialno": true, "serial": true, "assettag": true, "assettagnumber": true,
		"skunumber": true, "sku": true, "productname": true, "product": true, "manufacturer": true,
		"version": true, "family": true, "partnumber": true,
	}
)

// isFieldNameEcho is
// `^(system|chassis|baseboard|board|mainboard|product|type\d+)?(serialnumber|…|partnumber)$`
// on a squashed value: the field's own name as its value ("System Serial
// Number", "Chassis Serial Number", "Base Board Serial Number", "Asset
// Tag", "SKU Number", "System Product Name"; the pattern lf-edge/eve#6381
// describes).
func isFieldNameEcho(s string) bool {
	for _, p := range echoPrefixes {
		if rest, ok := strings.CutPrefix(s, p); ok && echoFields[rest] {
			return true
		}
	}
	if rest, ok := strings.CutPrefix(s, "type"); ok {
		// \d+ is greedy, but a field name never starts with a digit, so
		// only the whole run can be followed by one.
		if n := digits(rest); n > 0 && echoFields[rest[n:]] {
			return true
		}
	}
	return false
}
