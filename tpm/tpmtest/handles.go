// Package tpmtest holds test helpers for code that uses the machine's TPM
// through package tpm.
package tpmtest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-tpm/tpm2"

	"github.com/hwagent/hwagent/tpm"
)

// LoadedHandles lists the transient objects and the sessions the TPM that
// open reaches holds (TPM2_GetCapability of the handle ranges 0x80, 0x02
// and 0x03). Against a software TPM without a resource manager (swtpm's
// socket, a raw /dev/tpm0) whatever is listed was left by the code under
// test: a TPM has a few object and session slots, and a leaked one stays
// until the TPM restarts.
func LoadedHandles(t testing.TB, open tpm.Opener) []tpm2.TPMHandle {
	t.Helper()
	dev, err := open()
	if err != nil {
		t.Fatalf("open the TPM to list its handles: %v", err)
	}
	defer dev.Close()
	tp := sendOnly{dev}
	var out []tpm2.TPMHandle
	seen := map[tpm2.TPMHandle]bool{}
	// The loaded (0x02) and saved (0x03) session lists both hold HMAC
	// (0x02…) and policy (0x03…) session handles.
	for _, q := range []struct {
		first uint32
		kinds []uint32
	}{
		{0x80000000, []uint32{0x80}},
		{0x02000000, []uint32{0x02, 0x03}},
		{0x03000000, []uint32{0x02, 0x03}},
	} {
		rsp, err := tpm2.GetCapability{Capability: tpm2.TPMCapHandles, Property: q.first, PropertyCount: 64}.Execute(tp)
		if err != nil {
			t.Fatalf("list the TPM's handles from %#x: %v", q.first, err)
		}
		hs, err := rsp.CapabilityData.Data.Handles()
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs.Handle {
			if slices.Contains(q.kinds, uint32(h)>>24) && !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	return out
}

// sendOnly is a tpm.Device as go-tpm's transport.
type sendOnly struct{ dev tpm.Device }

func (s sendOnly) Send(cmd []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.dev.Send(ctx, cmd)
}
