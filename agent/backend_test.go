package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/server"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
	"github.com/hwagent/hwagent/server/client/clienttest"
	"github.com/hwagent/hwagent/server/store/sqlstore"
)

// backend is a provisioning server the agent's behaviour tests run
// against: the protocol fake (clienttest.Server) or the real server
// (realServer), so that the fake cannot drift from what it stands for.
type backend interface {
	BaseURL() string
	// Machines are what the server holds, with the calls it received.
	Machines() []clienttest.Machine
	SetAction(id, action string) error
	// Inject queues canned answers, each for one matching request.
	Inject(f ...clienttest.Fault)
	// Forget loses every machine, as a server whose database was replaced.
	Forget()
	// Requests are the requests received so far, with their answers.
	Requests() []clienttest.Request
	Close()
}

// backends are the kinds each behaviour test runs against.
var backends = []string{"fake", "server"}

// newBackend starts a backend of the kind, pushing cfg at registration.
func newBackend(t *testing.T, kind string, cfg api.AgentConfig) backend {
	t.Helper()
	if kind == "fake" {
		s := clienttest.New(enrollToken)
		s.SetConfig(cfg)
		t.Cleanup(s.Close)
		return s
	}
	r := &realServer{t: t, cfg: cfg, counts: map[string]*clienttest.Machine{}}
	r.handler = r.newServer()
	r.hs = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.hs.Close)
	c, err := client.New(client.Options{Server: r.hs.URL, AdminToken: secret.Value(realAdminToken)})
	if err != nil {
		t.Fatal(err)
	}
	r.admin = c
	return r
}

const realAdminToken = "admin-0123456789abcdef0123456789abcdef"

// realServer is server.Server on SQLite in a temporary directory, behind
// a handler that counts the agent's calls per machine and answers the
// faults a test injects, with clienttest's rules.
type realServer struct {
	t       *testing.T
	cfg     api.AgentConfig
	hs      *httptest.Server
	admin   *client.Client
	mu      sync.Mutex
	handler http.Handler
	faults  []clienttest.Fault
	counts  map[string]*clienttest.Machine // calls by machine ID
	reqs    []clienttest.Request
}

func (r *realServer) BaseURL() string { return r.hs.URL }
func (r *realServer) Close()          { r.hs.Close() }

// newServer opens a fresh database and a server on it. The check-in
// interval is the smallest the agent accepts (1 s).
func (r *realServer) newServer() http.Handler {
	dsn := "sqlite://" + filepath.Join(r.t.TempDir(), "hwagent.db")
	st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { st.Close() })
	srv, err := server.New(server.Config{Store: st, EnrollToken: enrollToken, AdminToken: realAdminToken, CheckinInterval: time.Second, Push: r.cfg})
	if err != nil {
		r.t.Fatal(err)
	}
	return srv
}

func (r *realServer) Requests() []clienttest.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]clienttest.Request(nil), r.reqs...)
}

func (r *realServer) Inject(f ...clienttest.Fault) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = append(r.faults, f...)
}

func (r *realServer) Forget() {
	h := r.newServer()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handler = h
	r.counts = map[string]*clienttest.Machine{}
}

func (r *realServer) SetAction(id, action string) error {
	_, err := r.admin.SetAction(context.Background(), id, action)
	return err
}

// Machines asks the real server through its operator API and adds the
// calls counted on the way in.
func (r *realServer) Machines() []clienttest.Machine {
	ctx := context.Background()
	list, err := r.admin.List(ctx, nil)
	if err != nil {
		r.t.Errorf("list machines: %v", err)
		return nil
	}
	out := make([]clienttest.Machine, 0, len(list))
	for _, l := range list {
		m, err := r.admin.Get(ctx, l.ID)
		if err != nil {
			r.t.Errorf("get %s: %v", l.ID, err)
			continue
		}
		r.mu.Lock()
		c := clienttest.Machine{}
		if n := r.counts[m.ID]; n != nil {
			c = *n
		}
		r.mu.Unlock()
		c.ID, c.Inventory, c.Digest, c.State = m.ID, m.Inventory, m.InventoryDigest, m.State
		c.PendingAction, c.PendingActionID = m.PendingAction, m.PendingActionID
		out = append(out, c)
	}
	return out
}

// serve answers an injected fault, or hands the request to the server and
// counts it by what the server answered.
func (r *realServer) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	h := r.handler
	var fault *clienttest.Fault
	if !strings.HasPrefix(req.Header.Get("Authorization"), "Bearer "+realAdminToken) {
		for i, f := range r.faults {
			if strings.HasPrefix(req.URL.Path, f.Path) {
				fault = &f
				r.faults = append(r.faults[:i], r.faults[i+1:]...)
				break
			}
		}
	}
	r.mu.Unlock()
	if fault != nil {
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		if fault.Body != "" {
			w.WriteHeader(fault.Status)
			io.WriteString(w, fault.Body)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(fault.Status)
		json.NewEncoder(w).Encode(api.Error{Code: fault.Code, Message: "injected fault"})
		return
	}
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
	r.mu.Lock()
	r.reqs = append(r.reqs, clienttest.Request{Method: req.Method, Path: req.URL.Path, Auth: req.Header.Get("Authorization"), Body: body, Status: rec.Code})
	r.mu.Unlock()
	if rec.Code/100 == 2 {
		r.count(req, body, rec.Body.Bytes())
	}
}

// count records a successful agent call on its machine.
func (r *realServer) count(req *http.Request, body, answer []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at := func(id string) *clienttest.Machine {
		if r.counts[id] == nil {
			r.counts[id] = &clienttest.Machine{ID: id}
		}
		return r.counts[id]
	}
	if req.Method == http.MethodPost && req.URL.Path == api.PathRegister {
		var resp api.RegisterResponse
		if json.Unmarshal(answer, &resp) == nil && resp.MachineID != "" {
			at(resp.MachineID).Registrations++
		}
		return
	}
	rest, ok := strings.CutPrefix(req.URL.Path, "/v1/machines/")
	if !ok {
		return
	}
	id, verb, _ := strings.Cut(rest, "/")
	switch {
	case req.Method == http.MethodPost && verb == "checkin":
		m := at(id)
		m.Checkins++
		json.Unmarshal(body, &m.LastCheckin)
	case req.Method == http.MethodPut && verb == "inventory":
		at(id).InventoryPuts++
	}
}
