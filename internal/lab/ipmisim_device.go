package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	goipmi "github.com/bougou/go-ipmi/pkg/client"
	"github.com/bougou/go-ipmi/pkg/types"

	"github.com/hwagent/hwagent/ipmi"
)

// LANDevice is an ipmi.Device that sends each request to an ipmi_sim over
// one RMCP+ session (github.com/bougou/go-ipmi, cipher suite 3) as its
// admin: the same command handlers answer as for the in-band system
// interface, without booting a guest. A request takes about a millisecond.
type LANDevice struct {
	mu sync.Mutex
	c  *goipmi.Client
}

var _ ipmi.Device = (*LANDevice)(nil)

// Device opens a LANDevice to the simulator as "admin", closed when the
// test ends.
func (s *IPMISim) Device(t testing.TB) *LANDevice {
	t.Helper()
	host, port, _ := net.SplitHostPort(s.LANAddr)
	p, _ := strconv.Atoi(port)
	c, err := goipmi.NewClient(host, p, "admin", "password")
	if err != nil {
		t.Fatal(err)
	}
	c.WithCipherSuiteID(types.CipherSuiteID3).WithTimeout(5 * time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("RMCP+ session to ipmi_sim at %s: %v\n%s", s.LANAddr, err, s.Log())
	}
	d := &LANDevice{c: c}
	t.Cleanup(func() { d.Close() })
	return d
}

// Send sends one request over the session and returns the response,
// completion code first.
func (d *LANDevice) Send(ctx context.Context, netfn, cmd uint8, data []byte) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.c == nil {
		return nil, errors.New("lab: LAN device closed")
	}
	resp, err := d.c.RawCommand(ctx, types.NetFn(netfn), cmd, data, fmt.Sprintf("raw 0x%02x 0x%02x", netfn, cmd))
	if respErr, ok := types.IsResponseError(err); ok {
		return []byte{byte(respErr.CompletionCode())}, nil
	}
	if err != nil {
		return nil, err
	}
	return append([]byte{0}, resp.Response...), nil
}

// Close ends the session.
func (d *LANDevice) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.c == nil {
		return nil
	}
	err := d.c.Close(context.Background())
	d.c = nil
	return err
}

// Lanplus runs ipmitool over RMCP+ (IPMI 2.0, -I lanplus) as user with
// password at privilege (ADMINISTRATOR, OPERATOR...) and returns its
// standard output. The password goes through the environment (-E), not
// the command line. Cipher suite 3 is named (-C 3): without it ipmitool
// asks Get Channel Cipher Suites, which ipmi_sim does not answer, and
// waits out its retries (about 10 s) before trying suite 3 anyway.
func (s *IPMISim) Lanplus(ctx context.Context, user, password, privilege string, args ...string) (string, error) {
	return s.ipmitool(ctx, []string{"-I", "lanplus", "-C", "3", "-U", user, "-E", "-L", privilege}, password, args...)
}
