package smbios

import (
	"encoding/hex"
	"fmt"
	"math/bits"
	"strings"
)

// JEP106 is a JEDEC JEP106 manufacturer ID: Bank is 1 + the number of
// continuation codes, Code the ID byte with its parity bit.
type JEP106 struct {
	Bank int
	Code byte
}

// Name is the manufacturer's name, "" when the ID is not in the table or
// its parity is wrong (JEP106 IDs have odd parity).
func (j JEP106) Name() string {
	if bits.OnesCount8(j.Code)%2 != 1 || j.Code&0x7F == 0 || j.Bank < 1 || j.Bank > len(jep106Names) {
		return ""
	}
	bank := jep106Names[j.Bank-1]
	if i := int(j.Code&0x7F) - 1; i < len(bank) {
		return bank[i]
	}
	return ""
}

// String is the ID as dmidecode prints a Module Manufacturer ID.
func (j JEP106) String() string { return fmt.Sprintf("Bank %d, Hex 0x%02X", j.Bank, j.Code) }

// ParseJEP106 reads a manufacturer ID that firmware put in a memory
// device's Manufacturer string instead of a name, in the shapes real
// firmware uses:
//
//   - "802C", "0198", "859B": the continuation count with its parity bit,
//     then the code (the DDR3/DDR4 SPD encoding);
//   - "2C00", "CE00000000000000": the code, then zeros (bank 1);
//   - "7F7F9E00...": 0x7F continuation codes, then the code;
//   - "00AD00B300AD": HP's six bytes, the code repeated (bank 1).
//
// ok is false for anything else, and for an ID no manufacturer holds:
// such a string is kept as it is.
func ParseJEP106(s string) (JEP106, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 4 || len(s) > 32 || len(s)%2 != 0 {
		return JEP106{}, false
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return JEP106{}, false
	}
	zero := func(x []byte) bool {
		for _, c := range x {
			if c != 0 {
				return false
			}
		}
		return true
	}
	var j JEP106
	switch {
	case b[0] == 0x7F:
		n := 0
		for n < len(b) && b[n] == 0x7F {
			n++
		}
		if n == len(b) || !zero(b[n+1:]) {
			return JEP106{}, false
		}
		j = JEP106{Bank: n + 1, Code: b[n]}
	case len(b) == 2 && b[1] != 0 && bits.OnesCount8(b[0])%2 == 1:
		j = JEP106{Bank: int(b[0]&0x7F) + 1, Code: b[1]}
	case zero(b[1:]):
		j = JEP106{Bank: 1, Code: b[0]}
	case len(b) == 6 && b[0] == 0 && b[2] == 0 && b[4] == 0 && b[1] == b[5]:
		j = JEP106{Bank: 1, Code: b[1]}
	default:
		return JEP106{}, false
	}
	if j.Name() == "" {
		return JEP106{}, false
	}
	return j, true
}

// moduleManufacturer decodes SMBIOS 3.2's Module Manufacturer ID word
// (type 17 offset 2Ch): the low byte is the continuation count with
// parity, the high byte the code; 0 means unknown.
func moduleManufacturer(w uint16) (JEP106, bool) {
	if w == 0 {
		return JEP106{}, false
	}
	j := JEP106{Bank: int(w&0x7F) + 1, Code: byte(w >> 8)}
	return j, j.Name() != ""
}
