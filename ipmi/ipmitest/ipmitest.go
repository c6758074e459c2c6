// Package ipmitest provides fake IPMI devices for tests: a BMC that
// answers from a transcript of real responses, and misbehaving ones (slow,
// hanging, failing, answering garbage).
package ipmitest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hwagent/hwagent/ipmi"
)

// Key writes a request as a transcript does: netfn, cmd and data bytes in
// lower-case hex separated by spaces ("0c 02 01 03 00 00").
func Key(netfn, cmd uint8, data []byte) string {
	b := []byte{netfn, cmd}
	b = append(b, data...)
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, " ")
}

// ParseTranscript reads lines "REQUEST : RESPONSE" (hex bytes; the
// response with its completion code first). Blank lines and lines starting
// with # are skipped.
func ParseTranscript(data []byte) (map[string][]byte, error) {
	out := map[string][]byte{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		req, resp, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: no ':' between request and response", n)
		}
		reqBytes, err := hex.DecodeString(strings.Join(strings.Fields(req), ""))
		if err != nil || len(reqBytes) < 2 {
			return nil, fmt.Errorf("line %d: bad request %q", n, req)
		}
		respBytes, err := hex.DecodeString(strings.Join(strings.Fields(resp), ""))
		if err != nil || len(respBytes) < 1 {
			return nil, fmt.Errorf("line %d: bad response %q", n, resp)
		}
		out[Key(reqBytes[0], reqBytes[1], reqBytes[2:])] = respBytes
	}
	return out, sc.Err()
}

// LoadTranscript reads a transcript file.
func LoadTranscript(path string) (map[string][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := ParseTranscript(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// BMC is a fake BMC answering from a transcript.
type BMC struct {
	// Answers maps Key(request) to the response.
	Answers map[string][]byte
	// Unknown answers every other request; nil means C1h (invalid command).
	Unknown []byte
	// Delay holds every answer back (or until the context ends).
	Delay time.Duration
	// HangFrom makes the HangFrom-th request (counting from 1) and all
	// later ones go unanswered until their context ends; 0 never hangs.
	HangFrom int
	// Err fails every request.
	Err error

	mu       sync.Mutex
	requests []string
	closed   bool
}

var _ ipmi.Device = (*BMC)(nil)

// Send answers from the transcript.
func (b *BMC) Send(ctx context.Context, netfn, cmd uint8, data []byte) ([]byte, error) {
	key := Key(netfn, cmd, data)
	b.mu.Lock()
	b.requests = append(b.requests, key)
	n, closed := len(b.requests), b.closed
	b.mu.Unlock()
	switch {
	case closed:
		return nil, fmt.Errorf("fake BMC: closed")
	case b.Err != nil:
		return nil, b.Err
	case b.HangFrom > 0 && n >= b.HangFrom:
		<-ctx.Done()
		return nil, fmt.Errorf("fake BMC: %s: %w", key, ctx.Err())
	}
	if b.Delay > 0 {
		t := time.NewTimer(b.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, fmt.Errorf("fake BMC: %s: %w", key, ctx.Err())
		}
	}
	if resp, ok := b.Answers[key]; ok {
		return append([]byte(nil), resp...), nil
	}
	if b.Unknown != nil {
		return append([]byte(nil), b.Unknown...), nil
	}
	return []byte{byte(ipmi.CCInvalidCommand)}, nil
}

// Close marks the device closed.
func (b *BMC) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return nil
}

// Requests lists the requests received, as Key writes them.
func (b *BMC) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// Closed reports whether Close was called.
func (b *BMC) Closed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// Garbage answers every request with 0 to 40 random bytes, the first one
// a zero completion code half of the time, so decoders see short,
// oversized and nonsensical responses.
type Garbage struct {
	mu  sync.Mutex
	rng *rand.Rand
}

// NewGarbage returns a Garbage device with a fixed seed.
func NewGarbage(seed uint64) *Garbage {
	return &Garbage{rng: rand.New(rand.NewPCG(seed, seed^0x5eed))}
}

// Send returns random bytes.
func (g *Garbage) Send(ctx context.Context, _, _ uint8, _ []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	b := make([]byte, g.rng.IntN(41))
	for i := range b {
		b[i] = byte(g.rng.UintN(256))
	}
	if len(b) > 0 && g.rng.IntN(2) == 0 {
		b[0] = 0
	}
	return b, nil
}

// Close does nothing.
func (g *Garbage) Close() error { return nil }
