package clienttest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
)

// MaxBody is the request size limit, like the real server's.
const MaxBody = 4 << 20

// Server is a fake provisioning server.
type Server struct {
	*httptest.Server
	token string

	mu       sync.Mutex
	interval int
	config   api.AgentConfig
	machines map[string]*Machine // by ID
	faults   []Fault
	requests []Request
	wake     chan struct{}
}

// Machine is what the fake stores about one machine.
type Machine struct {
	ID            string
	Credential    string
	Inventory     *inventory.Inventory
	Digest        string
	State         string
	PendingAction string
	// PendingActionID is the pending action's ID; AckedActionID the last
	// one the agent acknowledged.
	PendingActionID, AckedActionID string
	// Registrations, Checkins and InventoryPuts count the calls.
	Registrations, Checkins, InventoryPuts int
	LastCheckin                            api.CheckinRequest
}

// Fault is a canned answer for the next request whose path has the prefix
// Path ("" matches every request).
type Fault struct {
	Path       string
	Status     int
	RetryAfter string
	// Body is sent as is; empty means an api.Error with Code.
	Body string
	Code string
}

// Request records one request the server received.
type Request struct {
	Method, Path string
	// Auth is the Authorization header.
	Auth string
	// Body is the request body.
	Body []byte
	// Status is what the server answered.
	Status int
}

// New starts a fake server that accepts enrollment token.
func New(token string) *Server {
	s := &Server{token: token, machines: map[string]*Machine{}, wake: make(chan struct{}, 1)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// NewUnstarted returns a fake server whose httptest server is not started,
// for TLS variants (call StartTLS).
func NewUnstarted(token string) *Server {
	s := &Server{token: token, machines: map[string]*Machine{}, wake: make(chan struct{}, 1)}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // TLS handshake failures are the tests' point
	return s
}

// BaseURL is the server's URL (httptest's URL field, as a method).
func (s *Server) BaseURL() string { return s.URL }

// SetInterval sets the check-in interval the server hands out, in seconds.
// The default, 0, hands out none: the agent keeps its own (tests make it
// short).
func (s *Server) SetInterval(seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interval = seconds
}

// SetConfig sets the configuration pushed at registration.
func (s *Server) SetConfig(c api.AgentConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.config = c
}

// Inject queues faults; each answers one matching request.
func (s *Server) Inject(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// SetAction sets a machine's pending action.
func (s *Server) SetAction(id, action string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.machines[id]
	if !ok {
		return fmt.Errorf("no machine %s", id)
	}
	m.PendingAction, m.PendingActionID = action, ""
	if action != "" && action != api.ActionNone {
		var b [8]byte
		rand.Read(b[:]) //nolint:errcheck // never fails on Linux
		m.PendingActionID = "a-" + hex.EncodeToString(b[:])
	} else {
		m.PendingAction = ""
	}
	return nil
}

// Forget drops every machine, as a server whose database was replaced.
func (s *Server) Forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.machines = map[string]*Machine{}
}

// Machines returns copies of the stored machines.
func (s *Server) Machines() []Machine {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Machine, 0, len(s.machines))
	for _, m := range s.machines {
		out = append(out, *m)
	}
	return out
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Wait returns a channel that receives after each request.
func (s *Server) Wait() <-chan struct{} { return s.wake }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	status := s.handle(w, r, body, err)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: body, Status: status})
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
	return status
}

func writeError(w http.ResponseWriter, status int, code, msg string) int {
	return writeJSON(w, status, api.Error{Code: code, Message: msg})
}

func (s *Server) takeFault(path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if strings.HasPrefix(path, f.Path) {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return f, true
		}
	}
	return Fault{}, false
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, body []byte, readErr error) int {
	if f, ok := s.takeFault(r.URL.Path); ok {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.Body != "" {
			w.WriteHeader(f.Status)
			_, _ = io.WriteString(w, f.Body)
			return f.Status
		}
		return writeError(w, f.Status, f.Code, "injected fault")
	}
	var tooLarge *http.MaxBytesError
	if errors.As(readErr, &tooLarge) {
		return writeError(w, http.StatusRequestEntityTooLarge, api.CodeTooLarge, "body too large")
	}
	if readErr != nil {
		return writeError(w, http.StatusBadRequest, api.CodeInvalidBody, readErr.Error())
	}
	bearer, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if r.Method == http.MethodPost && r.URL.Path == api.PathRegister {
		return s.register(w, bearer, body)
	}
	var id, verb string
	if rest, ok := strings.CutPrefix(r.URL.Path, "/v1/machines/"); ok {
		id, verb, _ = strings.Cut(rest, "/")
	}
	switch {
	case r.Method == http.MethodPost && verb == "checkin":
		return s.checkin(w, id, bearer, body)
	case r.Method == http.MethodPut && verb == "inventory":
		return s.putInventory(w, id, bearer, body)
	}
	return writeError(w, http.StatusNotFound, api.CodeNotFound, "no such endpoint")
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON document")
	}
	return nil
}

func same(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func newCredential() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) register(w http.ResponseWriter, bearer string, body []byte) int {
	if bearer == "" || !same(bearer, s.token) {
		return writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "enrollment token missing or wrong")
	}
	var req api.RegisterRequest
	if err := decodeStrict(body, &req); err != nil || req.Inventory == nil {
		return writeError(w, http.StatusBadRequest, api.CodeInvalidBody, fmt.Sprintf("register: %v", err))
	}
	id := req.Inventory.Identity.MachineID
	if id == "" {
		return writeError(w, http.StatusBadRequest, api.CodeInvalidBody, "inventory without identity")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.machines[id]
	if !ok {
		m = &Machine{ID: id}
		s.machines[id] = m
	}
	m.Credential = newCredential()
	if !ok || len(req.Inventory.Pending()) == 0 {
		// A known machine keeps its inventory until the collectors a
		// registration lists as pending report (docs/protocol.md).
		m.Inventory = req.Inventory
		m.Digest = inventory.Digest(req.Inventory)
	}
	m.State = api.StateRegistered
	m.Registrations++
	return writeJSON(w, http.StatusOK, api.RegisterResponse{MachineID: id, Credential: m.Credential, CheckinIntervalSeconds: s.interval, Config: s.config})
}

// machine authenticates a machine call; it returns the status written on
// failure. The caller holds s.mu.
func (s *Server) machine(w http.ResponseWriter, id, bearer string) (*Machine, int) {
	m, ok := s.machines[id]
	if !ok {
		// Like the real server: an unknown machine's credential cannot be
		// checked, so the answer is 401 when no machine has it.
		for _, o := range s.machines {
			if same(bearer, o.Credential) {
				return nil, writeError(w, http.StatusForbidden, api.CodeForbidden, "credential of another machine")
			}
		}
		if bearer == "" {
			return nil, writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "credential missing")
		}
		return nil, writeError(w, http.StatusNotFound, api.CodeNotFound, "no machine "+id)
	}
	if bearer == "" || !same(bearer, m.Credential) {
		return nil, writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "credential missing or wrong")
	}
	return m, 0
}

func (s *Server) checkin(w http.ResponseWriter, id, bearer string, body []byte) int {
	var req api.CheckinRequest
	if err := decodeStrict(body, &req); err != nil {
		return writeError(w, http.StatusBadRequest, api.CodeInvalidBody, fmt.Sprintf("checkin: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, status := s.machine(w, id, bearer)
	if m == nil {
		return status
	}
	m.Checkins++
	m.LastCheckin = req
	m.State = req.State
	// The real server's rules (sqlstore decideCheckin): an acknowledgement
	// of the pending action's ID clears it; a pending action is answered
	// with its ID until acknowledged (agents that acknowledge) or once.
	resp := api.CheckinResponse{Action: api.ActionNone, CheckinIntervalSeconds: s.interval}
	if req.AckActionID != "" && m.PendingAction != "" && req.AckActionID == m.PendingActionID {
		m.AckedActionID = m.PendingActionID
		m.PendingAction, m.PendingActionID = "", ""
	}
	if req.AckActionID != "" && req.AckActionID == m.AckedActionID {
		resp.AckedActionID = req.AckActionID
	}
	switch {
	case m.PendingAction != "":
		resp.Action, resp.ActionID = m.PendingAction, m.PendingActionID
		if !req.AcksActions {
			m.PendingAction, m.PendingActionID = "", ""
		}
	case req.InventoryDigest != m.Digest:
		resp.Action = api.ActionSendInventory
	}
	return writeJSON(w, http.StatusOK, resp)
}

func (s *Server) putInventory(w http.ResponseWriter, id, bearer string, body []byte) int {
	var req api.InventoryRequest
	if err := decodeStrict(body, &req); err != nil || req.Inventory == nil {
		return writeError(w, http.StatusBadRequest, api.CodeInvalidBody, fmt.Sprintf("inventory: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, status := s.machine(w, id, bearer)
	if m == nil {
		return status
	}
	m.Inventory = req.Inventory
	m.Digest = inventory.Digest(req.Inventory)
	m.InventoryPuts++
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}
