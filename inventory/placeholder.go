package inventory

import (
	"encoding/hex"
	"strings"
)

// Placeholders are values firmware leaves in SMBIOS fields its vendor did
// not fill: "To Be Filled By O.E.M.", "Default string", the field's own name
// ("System Serial Number"), a counting pattern ("0123456789"), one repeated
// character ("00000000", "xxxxxxxxxxxxxxxx"), a template UUID shared by
// every board of a model (AMI's 03000200-0400-0500-0006-000700080009).
// Every unit of such a model reports the same value, so a placeholder is
// kept in the document (listed in its section's Placeholders), shown as
// such, and never used to tell machines apart: not as an identity key, not
// in a hostname.
//
// This file holds the rules; placeholder_list.go the values seen in the
// wild, each with where it was seen. Both are the one authority: the
// collectors mark fields with them, the server re-derives identity keys
// with them (agents may be older), the exporters and renderers ask them.

// IsPlaceholder reports whether s, from any SMBIOS string field, is a
// placeholder: empty or blank, a known placeholder value
// (KnownPlaceholders, compared ignoring case, spaces and punctuation), an
// Insyde template value ("Type1 - 123456789", "Type2 - Board Serial
// Number"), made only of punctuation, one character repeated with or
// without separators ("0000", "........", "xxxxxxxxxxxxxxxx",
// "000-000-000"), or holding a counting run of seven or
// more digits ("0123456789", "BSN12345678901234567", "9876543210").
func IsPlaceholder(s string) bool {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return true
	}
	if knownValue[squash(t)] {
		return true
	}
	if isInsydeTemplate(t) || isDIMMAssetTagTemplate(t) || isFieldNameEcho(squash(t)) {
		return true
	}
	if squash(t) == "" { // only punctuation and blanks
		return true
	}
	if repeated(t) || repeated(squash(t)) { // "0000", "000-000-000", "x x x"
		return true
	}
	return countingRun(t) >= minCountingRun
}

// IsPlaceholderSerial is IsPlaceholder for serial numbers and asset tags,
// which are also placeholders when shorter than three characters ("0",
// "1", "NA"): no vendor numbers its machines that way.
func IsPlaceholderSerial(s string) bool {
	return IsPlaceholder(s) || len(strings.TrimSpace(s)) < 3
}

// IsPlaceholderUUID reports whether a canonical UUID string (as the
// inventory holds it: dmidecode's form, lower or upper case) cannot tell a
// machine apart: not a UUID at all, all sixteen bytes equal (dmidecode's
// "Not Settable" 00…, "Not Present" FF…, FEFEFEFE-…), counting bytes
// (00 01 02 … 0F), the last twelve bytes all FF, or a template UUID listed
// in KnownPlaceholders, each in
// either byte order of the first three fields (SMBIOS before 2.6 printed
// them as stored, later versions swapped).
func IsPlaceholderUUID(u string) bool {
	b, ok := parseUUID(u)
	if !ok {
		return true
	}
	if knownUUID[strings.ToLower(u)] || knownUUID[formatUUID(swapUUID(b))] {
		return true
	}
	same := true
	for _, x := range b[1:] {
		if x != b[0] {
			same = false
			break
		}
	}
	if same {
		return true
	}
	// The last twelve bytes all FF, whatever the first four say
	// (FreeBSD's rc.d/hostid refuses "*-ffff-ffff-ffff-ffffffffffff").
	if strings.Count(string(b[4:]), "\xff") == len(b)-4 {
		return true
	}
	return counting(b) || counting(swapUUID(b))
}

// repeated reports whether s is one character three times or more.
func repeated(s string) bool {
	return len(s) >= 3 && strings.Count(s, s[:1]) == len(s)
}

// minCountingRun is the shortest run of counting digits that makes a value
// a placeholder. Seven keeps real serials clear: a random ten-digit serial
// holds such a run with a probability of about 1 in 100,000, and then it
// is only kept out of identity keys and hostnames.
const minCountingRun = 7

// countingRun is the length of the longest run of digits in s that count
// up or down by one, wrapping 9→0 ("1234567890") and 0→9.
func countingRun(s string) int {
	best, up, down := 0, 0, 0
	var prev byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			up, down = 0, 0
			continue
		}
		d := c - '0'
		if up > 0 && d == (prev+1)%10 {
			up++
		} else {
			up = 1
		}
		if down > 0 && d == (prev+9)%10 {
			down++
		} else {
			down = 1
		}
		prev = d
		best = max(best, up, down)
	}
	return best
}

// IsPlaceholderField is the rule for the field a value is in, by its JSON
// name: IsPlaceholderUUID for "uuid", IsPlaceholderSerial for "serial" and
// "asset_tag", else IsPlaceholder.
func IsPlaceholderField(field, value string) bool {
	switch field {
	case "uuid":
		return IsPlaceholderUUID(value)
	case "serial", "asset_tag":
		return IsPlaceholderSerial(value)
	}
	return IsPlaceholder(value)
}

// PlaceholderFields returns the JSON names of the fields that hold a
// placeholder, from (name, value) pairs; absent (empty) fields are not
// listed. The result is nil when there are none.
func PlaceholderFields(pairs ...[2]string) []string {
	var out []string
	for _, f := range pairs {
		if f[1] != "" && IsPlaceholderField(f[0], f[1]) {
			out = append(out, f[0])
		}
	}
	return out
}

// MarkPlaceholders sets the Placeholders of every section of s from the
// values it holds, replacing what was there. The SMBIOS decoder calls it,
// and so does whoever builds a System from elsewhere (/sys/class/dmi/id).
func (s *System) MarkPlaceholders() {
	b := &s.BIOS
	b.Placeholders = PlaceholderFields(
		[2]string{"vendor", b.Vendor}, [2]string{"version", b.Version}, [2]string{"release_date", b.ReleaseDate})
	p := &s.Product
	p.Placeholders = PlaceholderFields(
		[2]string{"manufacturer", p.Manufacturer}, [2]string{"name", p.Name},
		[2]string{"version", p.Version}, [2]string{"serial", p.Serial}, [2]string{"uuid", p.UUID},
		[2]string{"sku", p.SKU}, [2]string{"family", p.Family})
	if bb := s.Baseboard; bb != nil {
		bb.Placeholders = PlaceholderFields(
			[2]string{"manufacturer", bb.Manufacturer}, [2]string{"product", bb.Product},
			[2]string{"version", bb.Version}, [2]string{"serial", bb.Serial}, [2]string{"asset_tag", bb.AssetTag})
	}
	if c := s.Chassis; c != nil {
		c.Placeholders = PlaceholderFields(
			[2]string{"manufacturer", c.Manufacturer}, [2]string{"version", c.Version},
			[2]string{"serial", c.Serial}, [2]string{"asset_tag", c.AssetTag}, [2]string{"sku", c.SKU})
	}
}

// squash lower-cases s and keeps only its letters and digits, so that
// "To Be Filled By O.E.M.", "to be filled by o.e.m" and "TO BE FILLED BY
// OEM" compare equal.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parseUUID reads the 16 bytes of a canonical 8-4-4-4-12 UUID string as
// printed.
func parseUUID(u string) ([16]byte, bool) {
	var b [16]byte
	if len(u) != 36 || u[8] != '-' || u[13] != '-' || u[18] != '-' || u[23] != '-' {
		return b, false
	}
	h := u[0:8] + u[9:13] + u[14:18] + u[19:23] + u[24:36]
	if _, err := hex.Decode(b[:], []byte(h)); err != nil {
		return b, false
	}
	return b, true
}

// formatUUID prints 16 bytes as a canonical lower-case UUID.
func formatUUID(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// swapUUID is the other byte order of the first three fields: SMBIOS 2.6+
// stores them little-endian, and firmware templates are written for one
// order or the other.
func swapUUID(b [16]byte) [16]byte {
	b[0], b[1], b[2], b[3] = b[3], b[2], b[1], b[0]
	b[4], b[5] = b[5], b[4]
	b[6], b[7] = b[7], b[6]
	return b
}

// counting reports bytes that count up or down by one from the first to
// the last (00 01 02 … 0F), allowing one step out of line.
func counting(b [16]byte) bool {
	up, down := 0, 0
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case b[i-1] + 1:
			up++
		case b[i-1] - 1:
			down++
		}
	}
	return up >= 14 || down >= 14
}
