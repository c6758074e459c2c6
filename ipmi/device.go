package ipmi

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Network functions (IPMI 2.0 section 5.1), request side.
const (
	NetFnChassis   uint8 = 0x00
	NetFnApp       uint8 = 0x06
	NetFnStorage   uint8 = 0x0A
	NetFnTransport uint8 = 0x0C
)

// Commands hwagent sends.
const (
	CmdGetDeviceID        uint8 = 0x01 // App, section 20.1
	CmdGetDeviceGUID      uint8 = 0x08 // App, section 20.8
	CmdGetSystemGUID      uint8 = 0x37 // App, section 22.14
	CmdGetChannelInfo     uint8 = 0x42 // App, section 22.24
	CmdGetLANConfigParams uint8 = 0x02 // Transport, section 23.2
)

// Device sends IPMI requests to a BMC.
type Device interface {
	// Send sends one request and returns the response data with the
	// completion code as its first byte. It returns an error only when no
	// response arrived (the context ended, the device failed); a BMC that
	// rejects the request answers with a non-zero completion code and a nil
	// error.
	Send(ctx context.Context, netfn, cmd uint8, data []byte) ([]byte, error)
	// Close releases the device.
	Close() error
}

// ErrMalformed marks a response that is too short or carries values the
// specification does not allow.
var ErrMalformed = errors.New("malformed response")

// ErrNotSupported is matched by a *CompletionError whose code means the BMC
// does not implement the command or parameter: C1h (invalid command) or, for
// Get LAN Configuration Parameters, 80h (parameter not supported).
var ErrNotSupported = errors.New("not supported")

// CompletionCode is the first byte of every IPMI response (section 5.2).
type CompletionCode uint8

// Completion codes with a meaning hwagent acts on.
const (
	CCOK                    CompletionCode = 0x00
	CCParamNotSupported     CompletionCode = 0x80 // command-specific: Get LAN Configuration Parameters
	CCNodeBusy              CompletionCode = 0xC0
	CCInvalidCommand        CompletionCode = 0xC1
	CCTimeout               CompletionCode = 0xC3
	CCInvalidDataField      CompletionCode = 0xCC
	CCParamOutOfRange       CompletionCode = 0xC9
	CCDestUnavailable       CompletionCode = 0xD3
	CCInsufficientPrivilege CompletionCode = 0xD4
	CCUnspecified           CompletionCode = 0xFF
)

var ccNames = sync.OnceValue(func() map[CompletionCode]string {
	return map[CompletionCode]string{
		CCNodeBusy:              "node busy",
		CCInvalidCommand:        "invalid command",
		0xC2:                    "command invalid for given LUN",
		CCTimeout:               "timeout while processing command",
		0xC4:                    "out of space",
		0xC5:                    "reservation canceled or invalid",
		0xC6:                    "request data truncated",
		0xC7:                    "request data length invalid",
		0xC8:                    "request data field length limit exceeded",
		CCParamOutOfRange:       "parameter out of range",
		0xCA:                    "cannot return number of requested data bytes",
		0xCB:                    "requested sensor, data or record not present",
		CCInvalidDataField:      "invalid data field in request",
		0xCD:                    "command illegal for specified sensor or record type",
		0xCE:                    "command response could not be provided",
		0xCF:                    "cannot execute duplicated request",
		0xD0:                    "SDR repository in update mode",
		0xD1:                    "device in firmware update mode",
		0xD2:                    "BMC initialization in progress",
		CCDestUnavailable:       "destination unavailable",
		CCInsufficientPrivilege: "insufficient privilege level",
		0xD5:                    "not supported in present state",
		0xD6:                    "sub-function disabled or unavailable",
		CCUnspecified:           "unspecified error",
	}
})

// String names the code as the specification's Table 5-2 does.
func (c CompletionCode) String() string {
	if s, ok := ccNames()[c]; ok {
		return fmt.Sprintf("0x%02x %s", uint8(c), s)
	}
	switch {
	case c == CCOK:
		return "0x00 ok"
	case c >= 0x01 && c <= 0x7E:
		return fmt.Sprintf("0x%02x OEM code", uint8(c))
	case c >= 0x80 && c <= 0xBE:
		return fmt.Sprintf("0x%02x command-specific code", uint8(c))
	}
	return fmt.Sprintf("0x%02x reserved code", uint8(c))
}

// CompletionError is a response with a non-zero completion code.
type CompletionError struct {
	NetFn, Cmd uint8
	Code       CompletionCode
}

func (e *CompletionError) Error() string {
	return fmt.Sprintf("netfn 0x%02x cmd 0x%02x: completion code %s", e.NetFn, e.Cmd, e.Code)
}

// Is makes errors.Is(err, ErrNotSupported) true for "invalid command" and
// for "parameter not supported" answers to Get LAN Configuration Parameters.
func (e *CompletionError) Is(target error) bool {
	if target != ErrNotSupported {
		return false
	}
	return e.Code == CCInvalidCommand ||
		(e.Code == CCParamNotSupported && e.NetFn == NetFnTransport && e.Cmd == CmdGetLANConfigParams)
}

// checkResponse returns the data after the completion code, or a
// *CompletionError, or ErrMalformed when resp is empty or shorter than
// 1+minData bytes.
func checkResponse(netfn, cmd uint8, resp []byte, minData int) ([]byte, error) {
	if len(resp) == 0 {
		return nil, fmt.Errorf("%w: netfn 0x%02x cmd 0x%02x: empty response", ErrMalformed, netfn, cmd)
	}
	if cc := CompletionCode(resp[0]); cc != CCOK {
		return nil, &CompletionError{NetFn: netfn, Cmd: cmd, Code: cc}
	}
	if len(resp)-1 < minData {
		return nil, fmt.Errorf("%w: netfn 0x%02x cmd 0x%02x: %d data bytes, want at least %d", ErrMalformed, netfn, cmd, len(resp)-1, minData)
	}
	return resp[1:], nil
}
