package tpmtest

import (
	"context"
	"encoding/binary"
	"sync"

	"github.com/hwagent/hwagent/tpm"
)

// FaultOpener opens the TPM with Next, records the code of every command
// its devices send, and answers a command whose code is the one set by
// Fail with a response code of its choice instead of letting it reach the
// TPM: how a test makes a real (software) TPM fail one step.
type FaultOpener struct {
	Next tpm.Opener

	mu   sync.Mutex
	cmds []uint32
	code uint32 // 0: no fault
	rc   uint32
	once bool
}

// Fail answers the commands with the command code code with the response
// code rc (TPM_RC_FAILURE 0x101, TPM_RC_RETRY 0x922...), only the first
// of them when once; code 0 ends the fault.
func (o *FaultOpener) Fail(code, rc uint32, once bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.code, o.rc, o.once = code, rc, once
}

// Commands returns the command codes sent since the last call.
func (o *FaultOpener) Commands() []uint32 {
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.cmds
	o.cmds = nil
	return c
}

// Open implements tpm.Opener.
func (o *FaultOpener) Open() (tpm.Device, error) {
	d, err := o.Next()
	if err != nil {
		return nil, err
	}
	return faultDevice{Device: d, o: o}, nil
}

type faultDevice struct {
	tpm.Device
	o *FaultOpener
}

func (d faultDevice) Send(ctx context.Context, cmd []byte) ([]byte, error) {
	if len(cmd) < 10 {
		return d.Device.Send(ctx, cmd)
	}
	code := binary.BigEndian.Uint32(cmd[6:10])
	d.o.mu.Lock()
	d.o.cmds = append(d.o.cmds, code)
	fault := d.o.code != 0 && code == d.o.code
	rc := d.o.rc
	if fault && d.o.once {
		d.o.code = 0
	}
	d.o.mu.Unlock()
	if fault {
		// tag TPM_ST_NO_SESSIONS, size 10, the response code
		resp := []byte{0x80, 0x01, 0, 0, 0, 10, 0, 0, 0, 0}
		binary.BigEndian.PutUint32(resp[6:], rc)
		return resp, nil
	}
	return d.Device.Send(ctx, cmd)
}
