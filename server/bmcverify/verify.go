package bmcverify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	goipmi "github.com/bougou/go-ipmi/pkg/client"
	"github.com/bougou/go-ipmi/pkg/types"

	"github.com/hwagent/hwagent/ipmi"
)

// Result classes, as api.BMCCredentialsStatus.Verification holds them.
const (
	Verified           = "verified"
	Unreachable        = "unreachable"
	WrongPassword      = "wrong_password"
	PrivilegeTooLow    = "privilege_too_low"
	CipherSuiteRefused = "cipher_suite_refused"
	Error              = "error"
)

// DefaultPort is the RMCP port.
const DefaultPort = 623

// Target is one login to check.
type Target struct {
	// Address is "host" or "host:port" (port 623 by default).
	Address        string
	User, Password string
	Privilege      ipmi.Privilege
	// Timeout bounds each exchange (default 2 s); the whole check sends
	// at most a dozen.
	Timeout time.Duration
	// Suites are the cipher suites to try, in order (default 17, 3).
	Suites []types.CipherSuiteID
}

// Result is the outcome of a check.
type Result struct {
	// Class is Verified or a failure class.
	Class string
	// Err explains a failure; it never holds the password.
	Err error
	// Suite is the cipher suite that logged in.
	Suite types.CipherSuiteID
	// Address is the host:port checked.
	Address string
}

// Verify logs in to the BMC at t.Address over RMCP+ and asks Get Device ID.
func Verify(ctx context.Context, t Target) Result {
	addr := t.Address
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, strconv.Itoa(DefaultPort))
	}
	res := Result{Address: addr}
	host, portStr, _ := net.SplitHostPort(addr)
	port, err := strconv.Atoi(portStr)
	if err != nil || host == "" {
		res.Class, res.Err = Error, fmt.Errorf("BMC address %q: want host or host:port", t.Address)
		return res
	}
	if t.Timeout <= 0 {
		t.Timeout = 2 * time.Second
	}
	suites := t.Suites
	if len(suites) == 0 {
		suites = []types.CipherSuiteID{types.CipherSuiteID17, types.CipherSuiteID3}
	}
	var refused []error
	for _, suite := range suites {
		class, err := login(ctx, host, port, suite, t)
		if class == CipherSuiteRefused {
			refused = append(refused, err)
			continue
		}
		res.Class, res.Err, res.Suite = class, err, suite
		return res
	}
	res.Class, res.Err = CipherSuiteRefused, fmt.Errorf("%s refused cipher suites %v: %w", addr, suites, errors.Join(refused...))
	return res
}

// login tries one cipher suite.
func login(ctx context.Context, host string, port int, suite types.CipherSuiteID, t Target) (string, error) {
	c, err := goipmi.NewClient(host, port, t.User, t.Password)
	if err != nil {
		return Error, err // a user name over 16 characters
	}
	priv := types.PrivilegeLevel(t.Privilege)
	c.WithCipherSuiteID(suite).WithTimeout(t.Timeout).WithRetry(1).WithMaxPrivilegeLevel(priv)
	step := func(name string, err error) error {
		return fmt.Errorf("%s:%d cipher suite %d: %s: %w", host, port, suite, name, err)
	}
	if _, err := c.OpenSession(ctx); err != nil {
		var st *types.RmcpStatusError
		switch {
		case errors.As(err, &st) && cipherStatus(st.StatusCode()):
			return CipherSuiteRefused, step("open session", err)
		case errors.Is(err, types.ErrUnpackedDataTooShort):
			// An error answer cut short (ipmi_sim sends only the tag and
			// status): the BMC answered, and the only thing Open Session
			// proposes is the suite's algorithms.
			return CipherSuiteRefused, step("open session", err)
		case errors.As(err, &st):
			return Error, step("open session", err)
		}
		return Unreachable, step("open session (no answer)", err)
	}
	if _, err := c.RAKPMessage1(ctx); err != nil {
		var st *types.RmcpStatusError
		switch {
		case errors.Is(err, goipmi.ErrRAKPAuthentication):
			return WrongPassword, step("RAKP 2", err)
		case errors.As(err, &st) && st.StatusCode() == types.RmcpStatusCodeUnauthorizedName:
			return WrongPassword, step("RAKP 2 (the BMC has no such user)", err)
		case errors.As(err, &st) && (st.StatusCode() == types.RmcpStatusCodeInvalidRole || st.StatusCode() == types.RmcpStatusCodeUnauthorizedRoleOfPriLevel):
			return PrivilegeTooLow, step("RAKP 2", err)
		case errors.As(err, &st):
			return Error, step("RAKP 2", err)
		}
		return Error, step("RAKP 1 (no valid answer)", err)
	}
	if _, err := c.RAKPMessage3(ctx); err != nil {
		var st *types.RmcpStatusError
		if errors.Is(err, goipmi.ErrRAKPAuthentication) || errors.As(err, &st) && st.StatusCode() == types.RmcpStatusCodeInvalidIntegrityCheckValue {
			return WrongPassword, step("RAKP 4", err)
		}
		return Error, step("RAKP 3", err)
	}
	// The session exists from here: close it (best effort, the BMC times
	// it out anyway). Before, there is nothing to close and trying costs
	// timeouts.
	defer c.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	got, err := c.SetSessionPrivilegeLevel(ctx, priv)
	if err != nil {
		if _, ok := types.IsResponseError(err); ok {
			return PrivilegeTooLow, step("set session privilege level "+t.Privilege.String(), err)
		}
		return Error, step("set session privilege level", err)
	}
	// Some BMCs (ipmi_sim) grant the user's limit instead of refusing a
	// higher level: the answer says which level the session has.
	if got.PrivilegeLevel&0x0F < uint8(priv) {
		return PrivilegeTooLow, step("set session privilege level", fmt.Errorf("asked for %s, the BMC granted %s", t.Privilege, ipmi.Privilege(got.PrivilegeLevel&0x0F)))
	}
	if _, err := c.GetDeviceID(ctx); err != nil {
		return Error, step("get device id", err)
	}
	return Verified, nil
}

// cipherStatus reports whether an Open Session status refuses the
// proposed algorithms (IPMI 2.0 Table 13-15).
func cipherStatus(s types.RmcpStatusCode) bool {
	switch s {
	case types.RmcpStatusCodeInvalidAuthAlg, types.RmcpStatusCodeInvalidIntegrityAlg,
		types.RmcpStatusCodeNoMatchingAuthPayload, types.RmcpStatusCodeNoMatchingIntegrityPayload,
		types.RmcpStatusCodeInvalidConfidentAlg, types.RmcpStatusCodeNoCipherSuiteMatch:
		return true
	}
	return false
}
