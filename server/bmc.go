package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/bmcverify"
	"github.com/hwagent/hwagent/server/store"
)

// BMCPolicy is the server's BMC credentials policy (serve --bmc-user): the
// BMC user every machine should have, created in-band by its agent with a
// password the agent generates and sends sealed to Key.
type BMCPolicy struct {
	// User and Privilege ("administrator" or "operator") of the BMC user.
	User, Privilege string
	// Channel is the LAN channel to make IPMI over LAN available on; 0:
	// the BMC's first LAN channel.
	Channel int
	// Key opens the sealed passwords (serve --bmc-seal-key).
	Key *bmcseal.Key
	// Verify logs in over RMCP+; nil means bmcverify.Verify.
	Verify func(context.Context, bmcverify.Target) bmcverify.Result
	// Address is where a machine's BMC is checked, "" for nowhere; nil
	// means BMCAddress (its inventory's BMC IP on port 623).
	Address func(api.Machine) string
	// VerifyTimeout bounds one check (default 30 s); MaxVerifying bounds
	// checks in progress (default 16).
	VerifyTimeout time.Duration
	MaxVerifying  int
	// MaxFailedLogins bounds the checks at one BMC address whose login
	// failed (a wrong password, a privilege refused, an error after the
	// password was tried) within FailedLoginWindow: default 2 per 10
	// minutes, in each server process. BMCs lock out a user or block the
	// source address after a few failed logins.
	MaxFailedLogins   int
	FailedLoginWindow time.Duration
}

func (p *BMCPolicy) validate() error {
	if err := ipmi.ValidUserName(p.User); err != nil {
		return fmt.Errorf("server: --bmc-user: %w", err)
	}
	if _, err := ipmi.ParsePrivilege(p.Privilege); err != nil {
		return fmt.Errorf("server: --bmc-privilege: %w", err)
	}
	if p.Channel < 0 || p.Channel > ipmi.MaxLANChannel {
		return fmt.Errorf("server: --bmc-channel %d: want 0 (the first LAN channel) to %d", p.Channel, ipmi.MaxLANChannel)
	}
	if p.Key == nil {
		return errors.New("server: a BMC user policy needs a seal key (--bmc-seal-key)")
	}
	if p.Verify == nil {
		p.Verify = bmcverify.Verify
	}
	if p.Address == nil {
		p.Address = BMCAddress
	}
	if p.VerifyTimeout <= 0 {
		p.VerifyTimeout = 30 * time.Second
	}
	if p.MaxVerifying <= 0 {
		p.MaxVerifying = 16
	}
	if p.MaxFailedLogins <= 0 {
		p.MaxFailedLogins = 2
	}
	if p.FailedLoginWindow <= 0 {
		p.FailedLoginWindow = 10 * time.Minute
	}
	return nil
}

// BMCAddress is the default BMCPolicy.Address: machine m's BMC IP (its
// inventory's primary LAN address) when it is one unicast IP address in
// its canonical spelling, "" otherwise. The address comes from the machine
// itself: a name (the server would resolve it), a port, or a loopback,
// link-local, multicast, broadcast or unspecified address would send the
// server's logins wherever the machine says, so none of those is ever
// contacted; nor another spelling of an address (::ffff:10.0.0.5), which
// would hide that another machine reports it (address_conflict).
func BMCAddress(m api.Machine) string {
	a, err := netip.ParseAddr(m.BMCIP)
	if err != nil || a.Zone() != "" || a.Is4In6() || !a.IsGlobalUnicast() || a.String() != m.BMCIP {
		return ""
	}
	return a.String()
}

// bmcMetrics count reports, verifications and reveals; never a password.
type bmcMetrics struct {
	reports, verifications, reveals *prometheus.CounterVec
}

func newBMCMetrics(reg prometheus.Registerer) *bmcMetrics {
	m := &bmcMetrics{
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hwagent_server_bmc_credentials_reports_total",
			Help: "BMC provisioning reports from agents by status (ok, refused, no_free_slot, ...), or invalid, unauthorized, conflict.",
		}, []string{"status"}),
		verifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hwagent_server_bmc_verifications_total",
			Help: "Out-of-band RMCP+ checks of stored BMC passwords by result: verified, unreachable, wrong_password, privilege_too_low, cipher_suite_refused, error; not logged in: no_address, address_conflict (another machine reports the address), throttled (too many failed logins at the address lately).",
		}, []string{"result"}),
		reveals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hwagent_server_bmc_password_reveals_total",
			Help: "Stored BMC passwords handed out to operators and exporters, by result (revealed, not_found, unavailable).",
		}, []string{"result"}),
	}
	reg.MustRegister(m.reports, m.verifications, m.reveals)
	return m
}

// bmcRequest is what the registration answer asks of machine id: the
// policy's user when the server holds no working password for it.
func (s *Server) bmcRequest(ctx context.Context, id string) *api.BMCCredentialsRequest {
	p := s.cfg.BMC
	if p == nil {
		return nil
	}
	rec, err := s.cfg.Store.BMCCredentials(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		// Asking again costs a password change on the BMC; not asking
		// costs nothing: the next registration asks.
		s.cfg.Logger.Warn("BMC credentials unreadable; not asking this time", "machine_id", id, "err", err)
		return nil
	case rec.Sealed != "" && rec.Status.User == p.User &&
		rec.Status.Verification != bmcverify.WrongPassword && rec.Status.Verification != bmcverify.PrivilegeTooLow:
		if rec.Status.Verification == "pending" {
			s.verifyLater(id) // its BMC address changed (or a check was lost)
		}
		return nil // it has one, unless the BMC says it no longer works
	}
	return s.bmcRequestBody()
}

// recheckBMC checks machine id's stored password again when its
// verification is pending: an inventory upload that changed the BMC
// address sets it back to pending (store.Store.SetBMCVerification).
func (s *Server) recheckBMC(ctx context.Context, id string) {
	if s.cfg.BMC == nil {
		return
	}
	rec, err := s.cfg.Store.BMCCredentials(ctx, id)
	if err == nil && rec.Sealed != "" && rec.Status.Verification == "pending" {
		s.verifyLater(id)
	}
}

func (s *Server) bmcRequestBody() *api.BMCCredentialsRequest {
	p := s.cfg.BMC
	return &api.BMCCredentialsRequest{User: p.User, Privilege: p.Privilege, Channel: p.Channel, SealKey: p.Key.Public()}
}

var bmcStatusRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Bounds of a report: a sealed 20-character password is ~150 bytes.
const (
	maxBMCErrorLen   = 2048
	maxBMCChanges    = 64
	maxBMCChangeLen  = 256
	maxBMCStatusName = 32
)

// handleBMCReport: PUT /v1/machines/{id}/bmc-credentials with the
// machine credential.
func (s *Server) handleBMCReport(w http.ResponseWriter, r *http.Request) {
	result := s.bmcReport(w, r)
	info(r).result = result
	if !bmcReportLabels[result] {
		result = "other" // a status this server does not know: bounded label values
	}
	s.bmcMetrics.reports.WithLabelValues(result).Inc()
}

// bmcReportLabels are the report results counted by name.
var bmcReportLabels = map[string]bool{
	"ok": true, "refused": true, "no_free_slot": true, "slot_conflict": true, "no_lan_channel": true,
	"lan_channel_refused": true, "unreachable": true, "malformed": true, "invalid_request": true,
	"no_bmc": true, "failed": true, "invalid": true, "unauthorized": true, "forbidden": true,
	"conflict": true, "not_found": true, "error": true, "cancelled": true, "pending": true,
	"seal_key_untrusted": true, "seal_key_mismatch": true,
}

func (s *Server) bmcReport(w http.ResponseWriter, r *http.Request) string {
	id, hash, result, ok := s.machineAuth(w, r)
	if result == "pending" {
		writeError(w, http.StatusConflict, api.CodePendingApproval, "this registration waits for an operator's approval (hwagent machines approve "+id+"): nothing was stored")
		return "pending"
	}
	if !ok {
		return result
	}
	p := s.cfg.BMC
	if p == nil {
		writeError(w, http.StatusConflict, api.CodeConflict, "this server has no BMC credentials policy (serve --bmc-user): nothing was stored")
		return "conflict"
	}
	var rep api.BMCCredentialsReport
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes+1), s.cfg.MaxBodyBytes, &rep); err != nil {
		s.bodyError(w, err)
		return "invalid"
	}
	if msg := checkBMCReport(&rep); msg != "" {
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, msg)
		return "invalid"
	}
	if rep.SealedPassword != "" {
		var sec api.BMCSecret
		plain, err := p.Key.Open(rep.SealedPassword)
		if err == nil {
			err = json.Unmarshal(plain, &sec)
		}
		switch {
		case err != nil:
			writeError(w, http.StatusBadRequest, api.CodeInvalidBody, "field sealed_password: "+err.Error())
			return "invalid"
		case sec.MachineID != id || sec.User != rep.User:
			writeError(w, http.StatusBadRequest, api.CodeInvalidBody, "field sealed_password: sealed for another machine or user")
			return "invalid"
		case ipmi.ValidPassword(sec.Password, ipmi.PasswordLength20) != nil:
			writeError(w, http.StatusBadRequest, api.CodeInvalidBody, "field sealed_password: the password is not 1-20 printable ASCII characters")
			return "invalid"
		}
	}
	in := store.BMCReport{MachineID: id, CredentialHash: hash, Report: rep, Now: s.cfg.Now()}
	in.Sealed = rep.SealedPassword
	if err := s.cfg.Store.PutBMCCredentials(r.Context(), in); err != nil {
		return s.storeError(w, r, err)
	}
	s.log(r).Info("BMC credentials reported", "machine_id", id, "status", rep.Status, "user", rep.User, "slot", rep.Slot, "changes", len(rep.Changes), "new_password", in.Sealed != "")
	w.WriteHeader(http.StatusNoContent)
	if in.Sealed != "" {
		s.verifyLater(id)
	}
	return rep.Status
}

// checkBMCReport bounds a report; "" when it is acceptable.
func checkBMCReport(rep *api.BMCCredentialsReport) string {
	switch {
	case !bmcStatusRe.MatchString(rep.Status):
		return fmt.Sprintf("field status: want lower-case letters, digits and _ (at most %d)", maxBMCStatusName)
	case ipmi.ValidUserName(rep.User) != nil:
		return "field user: " + ipmi.ValidUserName(rep.User).Error()
	case len(rep.Privilege) > 16:
		return "field privilege: longer than 16 bytes"
	case len(rep.Error) > maxBMCErrorLen:
		return fmt.Sprintf("field error: longer than %d bytes", maxBMCErrorLen)
	case len(rep.Changes) > maxBMCChanges:
		return fmt.Sprintf("field changes: more than %d", maxBMCChanges)
	case rep.Slot < 0 || rep.Slot > ipmi.MaxUserID || rep.Channel < 0 || rep.Channel > 15:
		return "field slot or channel: out of range"
	case rep.Status == "ok" && rep.SealedPassword == "":
		return "field sealed_password: required with status ok"
	case len(rep.SealedPassword) > bmcseal.MaxSealed:
		return fmt.Sprintf("field sealed_password: longer than %d bytes", bmcseal.MaxSealed)
	case rep.DurationSeconds < 0 || rep.DurationSeconds > 3600:
		return "field duration_seconds: out of range"
	}
	for _, c := range rep.Changes {
		if len(c) > maxBMCChangeLen {
			return fmt.Sprintf("field changes: an entry longer than %d bytes", maxBMCChangeLen)
		}
	}
	return ""
}

// verifyBMC logs in to machine id's BMC with the stored password, records
// the outcome and returns it; onlyPending (background checks) does nothing
// unless the stored verification is pending. It never logs in at an
// address another machine reports (address_conflict), nor at one whose
// failed-check budget is spent (throttled).
func (s *Server) verifyBMC(ctx context.Context, id string, onlyPending bool) (store.BMCVerification, error) {
	p := s.cfg.BMC
	rec, err := s.cfg.Store.BMCCredentials(ctx, id)
	if err != nil {
		return store.BMCVerification{}, err
	}
	sealed := rec.Sealed
	if sealed == "" {
		return store.BMCVerification{}, fmt.Errorf("%w: no stored BMC password to check", store.ErrNotFound)
	}
	if onlyPending && rec.Status.Verification != "pending" {
		return store.BMCVerification{Sealed: sealed, Result: rec.Status.Verification}, nil
	}
	m, err := s.cfg.Store.Get(ctx, id)
	if err != nil {
		return store.BMCVerification{}, err
	}
	v := store.BMCVerification{Sealed: sealed, Address: p.Address(m), BMCIP: m.BMCIP}
	sec, err := s.openBMCSecret(id, sealed)
	switch {
	case err != nil:
		v.Result, v.Error = bmcverify.Error, err.Error()
	case v.Address == "" && m.BMCIP != "":
		v.Result, v.Error = VerifyNoAddress, fmt.Sprintf("the inventory's BMC address %q is not one unicast IP address: not checked", truncate(m.BMCIP, 64))
	case v.Address == "":
		v.Result, v.Error = VerifyNoAddress, "the inventory has no BMC LAN address"
	default:
		others, err := s.cfg.Store.MachinesWithBMCIP(ctx, m.BMCIP, id)
		if err != nil {
			return store.BMCVerification{}, err
		}
		if len(others) > 0 {
			v.Result, v.Error = VerifyAddressConflict, fmt.Sprintf("machine %s also reports BMC address %s: not checked, so that a machine reporting another's BMC address cannot have the server's logins lock that BMC; fix or delete the machine that is wrong, then hwagent machines verify-bmc", strings.Join(others, ", "), m.BMCIP)
			break
		}
		s.login(ctx, &v, sec, rec)
	}
	v.Now = s.cfg.Now()
	s.bmcMetrics.verifications.WithLabelValues(v.Result).Inc()
	if err := s.cfg.Store.SetBMCVerification(ctx, id, v); err != nil {
		return v, err
	}
	s.cfg.Logger.Info("BMC credentials checked", "machine_id", id, "result", v.Result, "address", v.Address, "err", v.Error)
	return v, nil
}

// login checks sec at v.Address within the address's failed-login
// budget and fills v's outcome.
func (s *Server) login(ctx context.Context, v *store.BMCVerification, sec api.BMCSecret, rec store.BMCRecord) {
	p, c := s.cfg.BMC, &s.bmcChecks
	addr, start := v.Address, s.cfg.Now()
	c.mu.Lock()
	ok, next := c.budget.take(addr, start)
	c.mu.Unlock()
	if !ok {
		v.Result, v.Error = VerifyThrottled, fmt.Sprintf("%d logins at %s failed within %s: not tried again before %s, so that the BMC does not lock out the user or the server's address (then: hwagent machines verify-bmc)",
			p.MaxFailedLogins, addr, p.FailedLoginWindow, next.UTC().Format(time.RFC3339))
		return
	}
	priv, _ := ipmi.ParsePrivilege(rec.Status.Privilege)
	res := p.Verify(ctx, bmcverify.Target{Address: v.Address, User: sec.User, Password: sec.Password, Privilege: priv})
	v.Result, v.Address = res.Class, res.Address
	if res.Err != nil {
		v.Error = res.Err.Error()
	}
	switch res.Class {
	case bmcverify.Verified, bmcverify.Unreachable, bmcverify.CipherSuiteRefused:
		// Logged in, or refused before any password was tried: nothing
		// a BMC counts as a failed login.
		c.mu.Lock()
		c.budget.give(addr, start)
		c.mu.Unlock()
	}
}

func (s *Server) openBMCSecret(id, sealed string) (api.BMCSecret, error) {
	var sec api.BMCSecret
	plain, err := s.cfg.BMC.Key.Open(sealed)
	if err != nil {
		return sec, fmt.Errorf("stored BMC password: %w", err)
	}
	if err := json.Unmarshal(plain, &sec); err != nil {
		return sec, fmt.Errorf("stored BMC password: %w", err)
	}
	if sec.MachineID != id {
		return api.BMCSecret{}, fmt.Errorf("stored BMC password: sealed for machine %q, not %q", sec.MachineID, id)
	}
	return sec, nil
}

// handleBMCReveal: GET /v1/machines/{id}/bmc-credentials (admin token):
// the stored login, password included. Every reveal is logged.
func (s *Server) handleBMCReveal(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	info(r).machine = id
	if s.cfg.BMC == nil {
		writeError(w, http.StatusNotFound, api.CodeNotFound, "this server has no BMC credentials policy (serve --bmc-user)")
		s.bmcMetrics.reveals.WithLabelValues("not_found").Inc()
		return
	}
	rec, err := s.cfg.Store.BMCCredentials(r.Context(), id)
	if err == nil && rec.Sealed == "" {
		err = fmt.Errorf("%w: the server holds no BMC password for this machine (status %s)", store.ErrNotFound, rec.Status.Status)
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, api.CodeNotFound, "no stored BMC password for machine "+id)
		s.bmcMetrics.reveals.WithLabelValues("not_found").Inc()
		return
	}
	if err != nil {
		s.storeError(w, r, err)
		s.bmcMetrics.reveals.WithLabelValues("unavailable").Inc()
		return
	}
	m, err := s.cfg.Store.Get(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	sec, err := s.openBMCSecret(id, rec.Sealed)
	if err != nil {
		s.log(r).Error("stored BMC password does not open", "machine_id", id, "err", err)
		writeError(w, http.StatusInternalServerError, api.CodeInternal, "the stored BMC password does not open with this server's seal key (request "+requestID(r)+")")
		s.bmcMetrics.reveals.WithLabelValues("unavailable").Inc()
		return
	}
	s.log(r).Info("BMC password revealed", "machine_id", id, "user", sec.User, "remote", r.RemoteAddr)
	s.bmcMetrics.reveals.WithLabelValues("revealed").Inc()
	w.Header().Set("Cache-Control", "no-store")
	addr, verification := s.cfg.BMC.Address(m), rec.Status.Verification
	if verification == bmcverify.Verified && rec.Status.VerifyAddress != checkedAt(addr) {
		// Read apart from the machine: its address changed in between
		// (the store has set it back to pending by now).
		verification = "pending"
	}
	writeJSON(w, http.StatusOK, api.BMCCredentials{
		MachineID: id, Address: addr, User: sec.User, Password: sec.Password,
		Privilege: rec.Status.Privilege, Verification: verification, VerifiedAt: rec.Status.VerifiedAt,
	})
}

// checkedAt is the address a check of addr records: host:port, port 623
// when addr has none (bmcverify.Verify).
func checkedAt(addr string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil || addr == "" {
		return addr
	}
	return net.JoinHostPort(addr, strconv.Itoa(bmcverify.DefaultPort))
}

// handleBMCVerify: POST /v1/machines/{id}/bmc-credentials/verify (admin
// token): check the stored password now.
func (s *Server) handleBMCVerify(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	info(r).machine = id
	if s.cfg.BMC == nil {
		writeError(w, http.StatusNotFound, api.CodeNotFound, "this server has no BMC credentials policy (serve --bmc-user)")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.BMC.VerifyTimeout)
	defer cancel()
	if _, err := s.verifyBMC(ctx, id, false); err != nil {
		s.storeError(w, r, err)
		return
	}
	rec, err := s.cfg.Store.BMCCredentials(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	info(r).result = rec.Status.Verification
	writeJSON(w, http.StatusOK, rec.Status)
}

// truncate cuts a machine's string to at most n bytes for a message,
// on a UTF-8 boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
