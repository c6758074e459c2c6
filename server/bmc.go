package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"regexp"
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
	return nil
}

// BMCAddress is the default BMCPolicy.Address: machine m's BMC IP (its
// inventory's primary LAN address) when it is one unicast IP address, ""
// otherwise. The address comes from the machine itself: a name (the server
// would resolve it), a port, or a loopback, link-local, multicast,
// broadcast or unspecified address would send the server's logins wherever
// the machine says, so none of those is ever contacted.
func BMCAddress(m api.Machine) string {
	a, err := netip.ParseAddr(m.BMCIP)
	if err != nil || a.Zone() != "" || !a.Unmap().IsGlobalUnicast() {
		return ""
	}
	return a.Unmap().String()
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
			Help: "Out-of-band RMCP+ checks of stored BMC passwords by result: verified, unreachable, wrong_password, privilege_too_low, cipher_suite_refused, no_address, error.",
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
		return nil // it has one, unless the BMC says it no longer works
	}
	return s.bmcRequestBody()
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
		s.verifyLater(id, in.Sealed)
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

// verifyLater checks a stored password in the background, bounded by
// MaxVerifying checks at once.
func (s *Server) verifyLater(id, sealed string) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.BMC.VerifyTimeout)
		defer cancel()
		select {
		case s.verifying <- struct{}{}:
			defer func() { <-s.verifying }()
		case <-ctx.Done():
			s.cfg.Logger.Warn("BMC check skipped: too many in progress", "machine_id", id)
			return
		}
		if _, err := s.verifyBMC(ctx, id, sealed); err != nil {
			s.cfg.Logger.Warn("BMC check not recorded", "machine_id", id, "err", err)
		}
	}()
}

// verifyBMC logs in to machine id's BMC with the stored password sealed
// (the current one when ""), records the outcome and returns it.
func (s *Server) verifyBMC(ctx context.Context, id, sealed string) (store.BMCVerification, error) {
	p := s.cfg.BMC
	rec, err := s.cfg.Store.BMCCredentials(ctx, id)
	if err != nil {
		return store.BMCVerification{}, err
	}
	if sealed == "" {
		sealed = rec.Sealed
	}
	if sealed == "" || sealed != rec.Sealed {
		return store.BMCVerification{}, fmt.Errorf("%w: no stored BMC password to check", store.ErrNotFound)
	}
	m, err := s.cfg.Store.Get(ctx, id)
	if err != nil {
		return store.BMCVerification{}, err
	}
	v := store.BMCVerification{Sealed: sealed, Address: p.Address(m)}
	sec, err := s.openBMCSecret(id, sealed)
	switch {
	case err != nil:
		v.Result, v.Error = bmcverify.Error, err.Error()
	case v.Address == "" && m.BMCIP != "":
		v.Result, v.Error = "no_address", fmt.Sprintf("the inventory's BMC address %q is not one unicast IP address: not checked", truncate(m.BMCIP, 64))
	case v.Address == "":
		v.Result, v.Error = "no_address", "the inventory has no BMC LAN address"
	default:
		priv, _ := ipmi.ParsePrivilege(rec.Status.Privilege)
		res := p.Verify(ctx, bmcverify.Target{Address: v.Address, User: sec.User, Password: sec.Password, Privilege: priv})
		v.Result, v.Address = res.Class, res.Address
		if res.Err != nil {
			v.Error = res.Err.Error()
		}
	}
	v.Now = s.cfg.Now()
	s.bmcMetrics.verifications.WithLabelValues(v.Result).Inc()
	if err := s.cfg.Store.SetBMCVerification(ctx, id, v); err != nil {
		return v, err
	}
	s.cfg.Logger.Info("BMC credentials checked", "machine_id", id, "result", v.Result, "address", v.Address, "err", v.Error)
	return v, nil
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
	writeJSON(w, http.StatusOK, api.BMCCredentials{
		MachineID: id, Address: s.cfg.BMC.Address(m), User: sec.User, Password: sec.Password,
		Privilege: rec.Status.Privilege, Verification: rec.Status.Verification, VerifiedAt: rec.Status.VerifiedAt,
	})
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
	if _, err := s.verifyBMC(ctx, id, ""); err != nil {
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
