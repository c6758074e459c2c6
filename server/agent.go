package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"unicode"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store"
)

// handleRegister: POST /v1/register with the enrollment token.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	result := s.register(w, r)
	info(r).result = result
	s.metrics.registrations.WithLabelValues(result).Inc()
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) string {
	tok := bearer(r)
	if tok == "" {
		writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "missing bearer token: register with the enrollment token")
		return "unauthorized"
	}
	if !tokenMatches(tok, s.cfg.EnrollToken) {
		writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "wrong enrollment token")
		return "unauthorized"
	}
	// Every agent holds the enrollment token: it has no share of its own,
	// the body deadline is what keeps a slow client off the slots.
	b, result, ok := s.readBody(w, r)
	if !ok {
		return result
	}
	defer b.release()
	if !s.heavy.acquire(r.Context()) {
		s.overloaded(w, r)
		return "overloaded"
	}
	defer s.heavy.release()

	var req api.RegisterRequest
	doc, ok := s.decodeInventory(w, func() (inv *inventory.Inventory, raw []byte, err error) {
		req, raw, err = decodeRegister(b.data, s.cfg.MaxBodyBytes)
		return req.Inventory, raw, err
	})
	if !ok {
		return "invalid"
	}
	if err := checkTPMEvidence(req.TPM, req.Inventory); err != nil {
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, err.Error())
		return "invalid"
	}
	cred, hash, err := newCredential()
	if err != nil {
		return s.storeError(w, r, err)
	}
	in := store.Registration{Document: doc, CredentialHash: hash, Now: s.cfg.Now(), Peer: peerHost(r.RemoteAddr)}
	res, challenge, err := s.enrol(r, &req, in)
	if err != nil {
		return s.storeError(w, r, err)
	}
	if challenge != nil {
		info(r).machine = res.MachineID
		writeJSON(w, http.StatusOK, challenge)
		return "challenge"
	}
	info(r).machine = res.MachineID
	answer := api.RegisterResponse{
		MachineID:              res.MachineID,
		Credential:             cred,
		CheckinIntervalSeconds: s.intervalSeconds(),
		Config:                 s.cfg.Push,
	}
	if res.Verdict == reenroll.Allow {
		// Only a registration that took the machine provisions its BMC:
		// a held one may never be approved.
		answer.Config.BMCCredentials = s.bmcRequest(r.Context(), res.MachineID)
	}
	switch res.Verdict {
	case reenroll.Hold:
		s.log(r).Warn("registration held for approval", "machine_id", res.MachineID, "pending_id", res.PendingID, "peer", in.Peer)
		answer.PendingApproval, answer.PendingID = true, res.PendingID
		writeJSON(w, http.StatusAccepted, answer)
		return "held"
	case reenroll.Refuse:
		s.log(r).Warn("registration refused", "machine_id", res.MachineID, "peer", in.Peer, "reason", res.Reason, "pending_id", res.PendingID)
		msg := "registration refused: " + res.Reason
		if res.PendingID != "" {
			msg += "; kept as " + res.PendingID + " for an operator: if this is the machine (its TPM replaced), hwagent machines approve " + res.MachineID + " --pending " + res.PendingID + ", then register again"
		}
		writeError(w, http.StatusForbidden, api.CodeRefused, msg)
		return "refused"
	}
	if len(res.Conflicts) > 0 {
		s.metrics.conflicts.WithLabelValues("registration").Inc()
		s.log(r).Warn("identity conflict: registration kept apart from machines it shares keys with", "machine_id", res.MachineID,
			"conflicts", res.Conflicts, "peer", in.Peer)
	}
	if !res.Created {
		s.log(r).Info("credential rotated", "machine_id", res.MachineID, "peer", in.Peer)
	}
	s.marked(res.MachineID)
	writeJSON(w, http.StatusOK, answer)
	if res.Created {
		return "created"
	}
	return "updated"
}

// enrolResult is a registration's outcome.
type enrolResult struct {
	store.RegisterResult
	Reason string
}

// enrol matches a registration, asks the re-enrolment policy and carries
// out its decision. A concurrent registration can change what the request
// matches between the decision and the write: then it decides again.
func (s *Server) enrol(r *http.Request, req *api.RegisterRequest, in store.Registration) (enrolResult, *api.RegisterResponse, error) {
	ctx := r.Context()
	if _, ok := s.cfg.Reenroll.(reenroll.AllowAll); ok {
		// A policy that allows whatever a registration matches needs no
		// match before the store's own in its transaction (which reads the
		// machines holding the keys once instead of twice).
		res, err := s.cfg.Store.Register(ctx, in)
		return enrolResult{RegisterResult: res}, nil, err
	}
	for attempt := 1; ; attempt++ {
		m, err := s.cfg.Store.Match(ctx, in.Document)
		if err != nil {
			return enrolResult{}, nil, err
		}
		d, err := s.cfg.Reenroll.Decide(ctx, reenroll.Request{MachineID: m.MachineID, Peer: in.Peer, Register: req, Pins: m.Pins, Now: in.Now})
		if err != nil {
			return enrolResult{}, nil, fmt.Errorf("re-enrolment policy: %w", err)
		}
		if d.Verdict == "" {
			return enrolResult{}, nil, errors.New("re-enrolment policy returned no verdict")
		}
		if d.Verdict == reenroll.Challenge {
			if d.Response == nil {
				return enrolResult{}, nil, errors.New("re-enrolment policy challenged without a challenge")
			}
			return enrolResult{RegisterResult: store.RegisterResult{MachineID: m.MachineID, Verdict: d.Verdict}, Reason: d.Reason}, d.Response, nil
		}
		in.Matched, in.Decision = m.MachineID, d
		res, err := s.cfg.Store.Register(ctx, in)
		if errors.Is(err, store.ErrMatchChanged) && attempt < 5 {
			continue
		}
		return enrolResult{RegisterResult: res, Reason: d.Reason}, nil, err
	}
}

// peerHost is the host of a remote address ("10.0.0.5:41234" → "10.0.0.5").
func peerHost(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// decodeInventory decodes a request holding an inventory (decode returns
// it, with its JSON as sent when the fast path decoded it) and prepares it
// for the store, answering 4xx itself when it cannot.
func (s *Server) decodeInventory(w http.ResponseWriter, decode func() (*inventory.Inventory, []byte, error)) (store.Document, bool) {
	in, raw, err := decode()
	if err != nil {
		s.bodyError(w, err)
		return store.Document{}, false
	}
	if in == nil {
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, "field inventory: missing")
		return store.Document{}, false
	}
	if in.SchemaVersion != inventory.SchemaVersion {
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, fmt.Sprintf("inventory.schema_version %q: want %q", in.SchemaVersion, inventory.SchemaVersion))
		return store.Document{}, false
	}
	// Bounded before any work: identity keys become rows, and 20,000 of
	// them held the database's writer for seconds (issue 11).
	if err := inventory.CheckLimits(in); err != nil {
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, err.Error())
		return store.Document{}, false
	}
	doc, err := store.NewDocumentJSON(in, raw)
	if errors.Is(err, store.ErrNoIdentity) {
		writeError(w, http.StatusBadRequest, api.CodeNoIdentity, err.Error())
		return store.Document{}, false
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, err.Error())
		return store.Document{}, false
	}
	return doc, true
}

func (s *Server) bodyError(w http.ResponseWriter, err error) {
	var be *bodyError
	if errors.As(err, &be) {
		writeError(w, be.Status, be.Code, be.Msg)
		return
	}
	writeError(w, http.StatusBadRequest, api.CodeInvalidBody, err.Error())
}

// readBody reads the request's body before it takes a slot (intake),
// answering the request itself when it cannot: 408, 413, 429 or 400.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (*body, string, bool) {
	b, err := s.intake.read(w, r)
	if err == nil {
		return b, "", true
	}
	var be *bodyError
	errors.As(err, &be)
	switch be.Status {
	case http.StatusTooManyRequests:
		_, route := s.mux.Handler(r)
		s.metrics.overloaded.WithLabelValues(route).Inc()
		writeError(w, be.Status, be.Code, be.Msg)
		return nil, "overloaded", false
	case http.StatusRequestTimeout:
		writeError(w, be.Status, be.Code, be.Msg)
		return nil, "timeout", false
	}
	s.bodyError(w, err)
	return nil, "invalid", false
}

// machineShare counts one more request of the machine credential hash,
// answering 429 itself when it has too many in progress.
func (s *Server) machineShare(w http.ResponseWriter, r *http.Request, hash string) bool {
	if s.shares.acquire(hash) {
		return true
	}
	_, route := s.mux.Handler(r)
	s.metrics.overloaded.WithLabelValues(route).Inc()
	s.log(r).Warn("too many requests with one machine credential", "machine_id", info(r).machine, "max", s.cfg.MaxPerCredential)
	writeError(w, http.StatusTooManyRequests, api.CodeRateLimited,
		fmt.Sprintf("more than %d requests with this credential at once, retry after the Retry-After delay", s.cfg.MaxPerCredential))
	return false
}

func (s *Server) overloaded(w http.ResponseWriter, r *http.Request) {
	_, route := s.mux.Handler(r)
	s.metrics.overloaded.WithLabelValues(route).Inc()
	writeError(w, http.StatusTooManyRequests, api.CodeRateLimited, "server busy, retry after the Retry-After delay")
}

func (s *Server) intervalSeconds() int {
	return max(1, int(s.cfg.CheckinInterval.Round(1e9).Seconds()))
}

// machineAuth authenticates a machine credential for the {id} of the path:
// missing or unknown credential 401, another machine's 403.
func (s *Server) machineAuth(w http.ResponseWriter, r *http.Request) (id, hash, result string, ok bool) {
	id = r.PathValue("id")
	info(r).machine = id
	tok := bearer(r)
	if tok == "" {
		writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "missing bearer token: use the machine credential from the registration")
		return "", "", "unauthorized", false
	}
	hash = credentialHash(tok)
	owner, err := s.cfg.Store.MachineForCredential(r.Context(), hash)
	var pending *store.PendingError
	switch {
	case errors.As(err, &pending) && pending.MachineID == id:
		return id, hash, "pending", false
	case errors.As(err, &pending):
		s.log(r).Warn("held registration's credential used for another machine", "machine_id", id, "credential_of", pending.MachineID)
		writeError(w, http.StatusForbidden, api.CodeForbidden, "this credential belongs to another machine")
		return "", "", "forbidden", false
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "unknown machine credential: register again")
		return "", "", "unauthorized", false
	case err != nil:
		return "", "", s.storeError(w, r, err), false
	case owner != id:
		s.log(r).Warn("machine credential used for another machine", "machine_id", id, "credential_of", owner)
		writeError(w, http.StatusForbidden, api.CodeForbidden, "this credential belongs to another machine")
		return "", "", "forbidden", false
	}
	return id, hash, "", true
}

var (
	stateRe    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	digestRe   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	actionIDRe = regexp.MustCompile(api.ActionIDPattern)
)

// handleCheckin: POST /v1/machines/{id}/checkin with the machine credential.
func (s *Server) handleCheckin(w http.ResponseWriter, r *http.Request) {
	result := s.checkin(w, r)
	info(r).result = result
	s.metrics.checkins.WithLabelValues(result).Inc()
}

func (s *Server) checkin(w http.ResponseWriter, r *http.Request) string {
	id, hash, result, ok := s.machineAuth(w, r)
	if result == "pending" {
		// A held registration's agent waits: nothing is recorded on the
		// machine, no action is delivered to it.
		writeJSON(w, http.StatusOK, api.CheckinResponse{Action: api.ActionNone, CheckinIntervalSeconds: s.intervalSeconds(), PendingApproval: true})
		return "pending"
	}
	if !ok {
		return result
	}
	if !s.machineShare(w, r, hash) {
		return "overloaded"
	}
	defer s.shares.release(hash)
	b, result, ok := s.readBody(w, r)
	if !ok {
		return result
	}
	defer b.release()
	if !s.checkins.acquire(r.Context()) {
		s.overloaded(w, r)
		return "overloaded"
	}
	defer s.checkins.release()
	var req api.CheckinRequest
	if err := decodeStrictBytes(b.data, s.cfg.MaxBodyBytes, &req); err != nil {
		s.bodyError(w, err)
		return "invalid"
	}
	switch {
	case req.State != "" && !stateRe.MatchString(req.State):
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, fmt.Sprintf("field state %q: want lower-case letters, digits and _ (at most 32)", req.State))
		return "invalid"
	case req.InventoryDigest != "" && !digestRe.MatchString(req.InventoryDigest):
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, "field inventory_digest: want 64 lower-case hex digits")
		return "invalid"
	case len(req.AgentVersion) > 128:
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, "field agent_version: longer than 128 bytes")
		return "invalid"
	case strings.ContainsFunc(req.AgentVersion, unicode.IsControl):
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, "field agent_version: control characters")
		return "invalid"
	case req.UptimeSeconds < 0:
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, "field uptime_seconds: negative")
		return "invalid"
	case req.AckActionID != "" && !actionIDRe.MatchString(req.AckActionID):
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, "field ack_action_id: want a- and 16 lower-case hex digits")
		return "invalid"
	}
	res, err := s.cfg.Store.Checkin(r.Context(), store.Checkin{
		MachineID: id, CredentialHash: hash, State: req.State, Digest: req.InventoryDigest,
		UptimeSeconds: req.UptimeSeconds, AgentVersion: req.AgentVersion, Now: s.cfg.Now(),
		AcksActions: req.AcksActions, AckActionID: req.AckActionID,
	})
	if err != nil {
		return s.storeError(w, r, err)
	}
	if res.AckedActionID != "" {
		s.log(r).Info("action acknowledged", "machine_id", id, "action_id", res.AckedActionID)
	}
	answer := api.CheckinResponse{Action: res.Action, CheckinIntervalSeconds: s.intervalSeconds(),
		ActionID: res.ActionID, AckedActionID: res.AckedActionID}
	if res.Action == api.ActionRotateBMCPassword && s.cfg.BMC != nil {
		answer.BMCCredentials = s.bmcRequestBody()
	}
	writeJSON(w, http.StatusOK, answer)
	return res.Action
}

// handleInventory: PUT /v1/machines/{id}/inventory with the machine credential.
func (s *Server) handleInventory(w http.ResponseWriter, r *http.Request) {
	result := s.putInventory(w, r)
	info(r).result = result
	s.metrics.inventories.WithLabelValues(result).Inc()
}

func (s *Server) putInventory(w http.ResponseWriter, r *http.Request) string {
	id, hash, result, ok := s.machineAuth(w, r)
	held := result == "pending"
	if !ok && !held {
		return result
	}
	if !s.machineShare(w, r, hash) {
		return "overloaded"
	}
	defer s.shares.release(hash)
	b, result, ok := s.readBody(w, r)
	if !ok {
		return result
	}
	defer b.release()
	if !s.heavy.acquire(r.Context()) {
		s.overloaded(w, r)
		return "overloaded"
	}
	defer s.heavy.release()
	doc, ok := s.decodeInventory(w, func() (*inventory.Inventory, []byte, error) {
		req, raw, err := decodeUpload(b.data, s.cfg.MaxBodyBytes)
		return req.Inventory, raw, err
	})
	if !ok {
		return "invalid"
	}
	if held {
		return s.putHeldInventory(w, r, store.InventoryUpdate{Document: doc, MachineID: id, CredentialHash: hash, Now: s.cfg.Now()})
	}
	if err := s.cfg.Store.UpdateInventory(r.Context(), store.InventoryUpdate{Document: doc, MachineID: id, CredentialHash: hash, Now: s.cfg.Now()}); err != nil {
		var ce *store.ConflictError
		if errors.As(err, &ce) {
			s.metrics.conflicts.WithLabelValues("upload").Inc()
			s.log(r).Warn("inventory refused: identity conflict", "machine_id", id, "other", ce.Other, "key", ce.Key, "reason", ce.Reason)
		}
		return s.storeError(w, r, err)
	}
	s.marked(id)
	w.WriteHeader(http.StatusNoContent)
	s.recheckBMC(r.Context(), id)
	return "stored"
}

// putHeldInventory stores the inventory of a registration held for
// approval (its agent's first update, which completes it), for the
// operator to compare before approving.
func (s *Server) putHeldInventory(w http.ResponseWriter, r *http.Request, in store.InventoryUpdate) string {
	err := s.cfg.Store.UpdateHeld(r.Context(), in)
	var ce *store.ConflictError
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Approved or rejected since the credential was checked.
		writeError(w, http.StatusConflict, api.CodePendingApproval, "this registration waits for an operator's approval (hwagent machines approve "+in.MachineID+")")
		return "pending"
	case errors.As(err, &ce):
		s.metrics.conflicts.WithLabelValues("upload").Inc()
		s.log(r).Warn("held registration's inventory refused: identity conflict", "machine_id", in.MachineID, "reason", ce.Reason)
		return s.storeError(w, r, err)
	case err != nil:
		return s.storeError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return "held"
}

// marked tells Config.Marked that a machine's inventory was stored.
func (s *Server) marked(id string) {
	if s.cfg.Marked != nil {
		s.cfg.Marked(id)
	}
}
