package inventory

import (
	"regexp"
	"testing"
)

// The regular expressions the hand-written matchers replace: the oracle.
var (
	insydeTemplateRE       = regexp.MustCompile(`^type\s?\d{1,3}\s*-\s*\S`)
	dimmAssetTagTemplateRE = regexp.MustCompile(`^dimm\d+_assettag$`)
	fieldNameEchoRE        = regexp.MustCompile(`^(system|chassis|baseboard|board|mainboard|product|type\d+)?` +
		`(serialnumber|serialno|serial|assettag|assettagnumber|skunumber|sku|productname|product|manufacturer|version|family|partnumber)$`)
)

var matcherSeeds = []string{
	"type1 - tbd by oem", "type1 - 123456789", "type2 - board serial number", "type1-x", "type 12-x", "type1234 - x",
	"type1 -", "type1 - ", "type\t7\t-\tx", "typex - y", "type - x", "type  1 - x", "type1\n-\nz",
	"dimm0_assettag", "dimm12_assettag", "dimm_assettag", "dimm0_assettagx", "xdimm0_assettag",
	"systemserialnumber", "chassisserialnumber", "baseboardserialnumber", "assettag", "skunumber", "systemproductname",
	"productname", "product", "type2serialnumber", "type2", "typeserial", "type22version", "boardpartnumber", "serial",
	"serialnumberx", "", "type", "dimm", "système", "type1 - é",
}

func TestMatchersAgreeWithRegexps(t *testing.T) {
	t.Parallel()
	for _, s := range matcherSeeds {
		checkMatchers(t, s)
	}
}

func checkMatchers(t *testing.T, s string) {
	t.Helper()
	if got, want := isInsydeTemplate(s), insydeTemplateRE.MatchString(s); got != want {
		t.Errorf("isInsydeTemplate(%q) = %v, regexp says %v", s, got, want)
	}
	if got, want := isDIMMAssetTagTemplate(s), dimmAssetTagTemplateRE.MatchString(s); got != want {
		t.Errorf("isDIMMAssetTagTemplate(%q) = %v, regexp says %v", s, got, want)
	}
	if got, want := isFieldNameEcho(s), fieldNameEchoRE.MatchString(s); got != want {
		t.Errorf("isFieldNameEcho(%q) = %v, regexp says %v", s, got, want)
	}
}

func FuzzMatchersAgreeWithRegexps(f *testing.F) {
	for _, s := range matcherSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkMatchers(t, s) })
}
