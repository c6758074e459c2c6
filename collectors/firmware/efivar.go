package firmware

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// GlobalVariableGUID is EFI_GLOBAL_VARIABLE (UEFI 2.10 section 3.3), the
// vendor GUID of SecureBoot, SetupMode and the other architectural variables.
const GlobalVariableGUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c"

// EFI variable attributes (UEFI 2.10 section 8.2, GetVariable).
const (
	AttrNonVolatile       = 0x00000001
	AttrBootServiceAccess = 0x00000002
	AttrRuntimeAccess     = 0x00000004
)

// ErrEFIVariable is wrapped by the decoders' errors.
var ErrEFIVariable = errors.New("bad EFI variable")

// DecodeEFIVariable splits a file read from efivarfs
// (/sys/firmware/efi/efivars/NAME-GUID): the variable's attributes as a
// little-endian uint32, then its data.
func DecodeEFIVariable(data []byte) (attrs uint32, value []byte, err error) {
	if len(data) < 4 {
		return 0, nil, fmt.Errorf("%w: %d bytes, want at least 4 attribute bytes", ErrEFIVariable, len(data))
	}
	return binary.LittleEndian.Uint32(data), data[4:], nil
}

// DecodeEFIBool decodes the value of a one-byte boolean variable such as
// SecureBoot or SetupMode (UEFI 2.10 section 3.3: 1 on, 0 off).
func DecodeEFIBool(value []byte) (bool, error) {
	if len(value) != 1 {
		return false, fmt.Errorf("%w: %d value bytes, want 1", ErrEFIVariable, len(value))
	}
	switch value[0] {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, fmt.Errorf("%w: boolean value %#x", ErrEFIVariable, value[0])
}
