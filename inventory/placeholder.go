package inventory

import "strings"

// placeholderValues are strings firmware vendors leave in SMBIOS fields they
// did not fill, compared case-insensitively after trimming. Collected from
// real tables (dmidecode output of desktop boards, servers and VMs).
var placeholderValues = map[string]bool{
	"":                            true,
	"to be filled by o.e.m.":      true,
	"to be filled by o.e.m":       true,
	"default string":              true,
	"not specified":               true,
	"not applicable":              true,
	"not available":               true,
	"not present":                 true,
	"none":                        true,
	"n/a":                         true,
	"na":                          true,
	"unknown":                     true,
	"o.e.m.":                      true,
	"oem":                         true,
	"system serial number":        true,
	"system product name":         true,
	"system manufacturer":         true,
	"system version":              true,
	"base board serial number":    true,
	"chassis serial number":       true,
	"serial number":               true,
	"sku":                         true,
	"system sku":                  true,
	"asset tag":                   true,
	"asset-1234567890":            true,
	"no asset tag":                true,
	"no asset information":        true,
	"type1productconfigid":        true,
	"type2 - board serial number": true,
	"0123456789":                  true,
	"123456789":                   true,
	"1234567890":                  true,
	"9876543210":                  true, // AMI's default asset tag (Asus, MSI, Synology fixtures)
	"null":                        true, // processor serial of the Asus UX307LA fixture
	"00000000":                    true,
	"0000000000":                  true,
	"x.x":                         true,
	"xxxxx":                       true,
	"empty":                       true,
	"undefined":                   true,
	"invalid":                     true,
	"filled by o.e.m.":            true,
}

// IsPlaceholder reports whether s is a value firmware vendors leave in a
// field they did not fill: empty, a known placeholder phrase, or a string of
// one repeated character such as "0000000" or "FFFFFFFF" or "........".
func IsPlaceholder(s string) bool {
	t := strings.ToLower(strings.TrimSpace(s))
	if placeholderValues[t] {
		return true
	}
	if len(t) >= 3 && strings.Count(t, t[:1]) == len(t) {
		return true
	}
	return false
}

// IsPlaceholderUUID reports whether a canonical UUID string is unusable as an
// identifier: empty, all zeros, all F, or not 36 characters long.
func IsPlaceholderUUID(u string) bool {
	if len(u) != 36 {
		return true
	}
	h := strings.ToLower(strings.ReplaceAll(u, "-", ""))
	if len(h) != 32 {
		return true
	}
	return strings.Count(h, "0") == 32 || strings.Count(h, "f") == 32
}
