package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/semaphore"

	"github.com/hwagent/hwagent/server/api"
)

// Server serves the agent protocol and the operator API.
type Server struct {
	cfg      Config
	mux      *http.ServeMux
	heavy    *limiter
	checkins *limiter
	intake   *intake
	shares   *shares
	metrics  *metrics
	// bmcMetrics and verifying (a semaphore of BMC checks in progress)
	// serve the BMC credentials policy.
	bmcMetrics *bmcMetrics
	verifying  chan struct{}
	bmcChecks  bmcChecks
	// conns holds the connections Serve accepts (nil before Serve).
	conns atomic.Pointer[connLimit]
}

// New validates cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		mux:      http.NewServeMux(),
		heavy:    newLimiter(cfg.MaxHeavy, cfg.QueueTimeout),
		checkins: newLimiter(cfg.MaxCheckins, cfg.QueueTimeout),
		intake: &intake{budget: semaphore.NewWeighted(cfg.MaxBodyMemory), timeout: cfg.BodyTimeout,
			queueTimeout: cfg.QueueTimeout, limit: cfg.MaxBodyBytes},
		shares: newShares(cfg.MaxPerCredential),
	}
	reg, gather := cfg.Registerer, cfg.Gatherer
	if reg == nil {
		r := newRegistry()
		reg = r
		if gather == nil {
			gather = r
		}
	}
	if gather == nil {
		gather = prometheus.DefaultGatherer
	}
	s.metrics = newMetrics(reg, cfg.Store, s.heavy, s.checkins, func() (int, int) {
		if l := s.conns.Load(); l != nil {
			return l.inUse(), l.queued()
		}
		return 0, 0
	})
	s.bmcMetrics = newBMCMetrics(reg)
	if cfg.BMC != nil {
		s.verifying = make(chan struct{}, cfg.BMC.MaxVerifying)
		s.bmcChecks.budget = loginBudget{Max: cfg.BMC.MaxFailedLogins, Window: cfg.BMC.FailedLoginWindow}
	}
	reg.MustRegister(cfg.Collectors...)

	for _, r := range s.routes(gather) {
		s.mux.Handle(r.pattern, r.handler)
	}
	return s, nil
}

// route is one pattern of the mux.
type route struct {
	pattern string
	handler http.Handler
}

// routes lists every endpoint; docs/openapi.yaml documents the same set
// (TestOpenAPI checks).
func (s *Server) routes(gather prometheus.Gatherer) []route {
	return []route{
		{"POST " + api.PathRegister, http.HandlerFunc(s.handleRegister)},
		{"POST /v1/machines/{id}/checkin", http.HandlerFunc(s.handleCheckin)},
		{"PUT /v1/machines/{id}/inventory", http.HandlerFunc(s.handleInventory)},

		{"GET " + api.PathMachines, s.admin(s.handleList)},
		{"GET /v1/machines/{id}", s.admin(s.handleShow)},
		{"DELETE /v1/machines/{id}", s.admin(s.handleDelete)},
		{"GET /v1/machines/{id}/history", s.admin(s.handleHistory)},
		{"PUT /v1/machines/{id}/action", s.admin(s.handleAction)},
		{"PUT /v1/machines/{id}/bmc-credentials", http.HandlerFunc(s.handleBMCReport)},
		{"GET /v1/machines/{id}/bmc-credentials", s.admin(s.handleBMCReveal)},
		{"POST /v1/machines/{id}/bmc-credentials/verify", s.admin(s.handleBMCVerify)},
		{"POST /v1/machines/{id}/approve", s.admin(s.handleApprove)},
		{"POST /v1/machines/{id}/reject", s.admin(s.handleReject)},
		{"GET " + api.PathConflicts, s.admin(s.handleConflicts)},

		{"GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		})},
		{"GET /readyz", http.HandlerFunc(s.handleReady)},
		{"GET /metrics", promhttp.HandlerFor(gather, promhttp.HandlerOpts{})},
	}
}

// ServeHTTP implements http.Handler: request ID, access log and latency
// metric around the routes, JSON answers for unknown paths and methods.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &reqInfo{id: incomingRequestID(r)}
	r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, info))
	w.Header().Set("X-Request-Id", info.id)
	if l := s.conns.Load(); l != nil && l.crowded() {
		w.Header().Set("Connection", "close")
	}
	rw := &statusWriter{ResponseWriter: w}
	if r.Body != nil && r.Body != http.NoBody {
		rw.body = &eofBody{ReadCloser: r.Body}
		r.Body = rw.body
	}

	_, route := s.mux.Handler(r)
	_, qerr := strictQuery(r.URL.RawQuery)
	switch {
	case route == "":
		route = "unmatched"
		s.notFound(rw, r)
	case !plainPath(r.URL.Path):
		// No machine ID holds such bytes (the store hands out m- and
		// hex digits), and PostgreSQL cannot even be asked about them.
		writeError(rw, http.StatusNotFound, api.CodeNotFound, "no such path: "+strconv.QuoteToASCII(r.URL.Path)+" (not UTF-8, or control characters)")
	case qerr != nil:
		// Handlers read r.URL.Query(), which drops what it cannot parse:
		// only well-formed queries reach them.
		writeError(rw, http.StatusBadRequest, api.CodeInvalidBody, qerr.Error())
	default:
		s.mux.ServeHTTP(rw, r)
	}
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	d := time.Since(start)
	s.metrics.duration.WithLabelValues(route, statusLabel(rw.status)).Observe(d.Seconds())

	level := slogLevel(r, rw.status)
	attrs := []any{"request_id", info.id, "method", r.Method, "route", route, "status", rw.status,
		"duration_ms", float64(d.Microseconds()) / 1000, "remote", r.RemoteAddr}
	if info.machine != "" {
		attrs = append(attrs, "machine_id", info.machine)
	}
	if info.result != "" {
		attrs = append(attrs, "result", info.result)
	}
	s.cfg.Logger.Log(r.Context(), level, "request", attrs...)
}

// plainPath reports whether a request path is UTF-8 without control
// characters, as every path of the API is.
func plainPath(p string) bool {
	return utf8.ValidString(p) && !strings.ContainsFunc(p, unicode.IsControl)
}

// notFound answers paths the mux does not know (404) or knows with other
// methods (405, with Allow), in JSON.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	h, _ := s.mux.Handler(r)
	probe := &headerProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		writeError(w, http.StatusMethodNotAllowed, api.CodeMethodNotAllowed, r.Method+" not allowed on "+r.URL.Path)
		return
	}
	writeError(w, http.StatusNotFound, api.CodeNotFound, "no such path: "+r.URL.Path)
}

// admin wraps an operator handler with the admin token check.
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := bearer(r)
		switch {
		case s.cfg.AdminToken == "":
			writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "operator API disabled: the server has no admin token")
		case tok == "":
			writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "missing bearer token")
		case !tokenMatches(tok, s.cfg.AdminToken):
			writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "wrong admin token")
		default:
			h(w, r)
		}
	}
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ready(ctx); err != nil {
		s.log(r).Warn("not ready", "err", err)
		writeError(w, http.StatusServiceUnavailable, api.CodeUnavailable, "database unreachable or not taking writes")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// reqInfo is what handlers tell the access log.
type reqInfo struct {
	id, machine, result string
}

type reqInfoKey struct{}

func info(r *http.Request) *reqInfo {
	if i, ok := r.Context().Value(reqInfoKey{}).(*reqInfo); ok {
		return i
	}
	return &reqInfo{}
}

func requestID(r *http.Request) string { return info(r).id }

// incomingRequestID keeps a sane X-Request-Id from a proxy, else makes one.
func incomingRequestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && isToken(id) {
		return id
	}
	var b [8]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand never fails on Linux
	return hex.EncodeToString(b[:])
}

func isToken(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// statusWriter records the status code.
type statusWriter struct {
	http.ResponseWriter
	status int
	body   *eofBody // the request's body, nil without one
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		if code == http.StatusRequestEntityTooLarge {
			w.drain()
		}
		w.closeIfUnread()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
		w.closeIfUnread()
	}
	return w.ResponseWriter.Write(b)
}

// closeIfUnread closes the connection after an answer given before the
// request's body was read to its end (401, 403, a credential's 429): the
// HTTP server would otherwise read the rest of the body before answering,
// and a client trickling it would wait for the answer, and hold a
// connection, as long as it likes.
func (w *statusWriter) closeIfUnread() {
	if w.body != nil && !w.body.eof {
		w.Header().Set("Connection", "close")
	}
}

// What is read and thrown away of a body refused as too large (413),
// before the answer, so that a client still writing it reads the answer.
const (
	drainBytes = 8 << 20
	drainTime  = 2 * time.Second
)

// drain reads and discards what is left of the request's body, holding no
// buffer beyond a small one: at most drainBytes, within drainTime. A TCP
// connection closed with unread bytes in its receive queue is reset, and
// a client still writing its body (Go's net/http returns the write error
// when the reset comes first) saw "connection reset by peer" instead of
// the 413 and its message: CI saw it in TestRefusedBodies. Go's server
// discards up to 256 KiB itself, not enough for a body the size of a few
// inventories. Every 413 takes this way: the intake's, and the bodies
// read through http.MaxBytesReader.
func (w *statusWriter) drain() {
	if w.body == nil || w.body.eof {
		return
	}
	rc := http.NewResponseController(w.ResponseWriter)
	rc.SetReadDeadline(time.Now().Add(drainTime)) //nolint:errcheck // not every writer has a connection
	defer rc.SetReadDeadline(time.Time{})         //nolint:errcheck // as above
	var buf [8 << 10]byte
	io.CopyBuffer(io.Discard, io.LimitReader(onlyReader{w.body}, drainBytes), buf[:]) //nolint:errcheck // what is left is the server's to close
}

// onlyReader hides WriterTo and ReaderFrom, so that CopyBuffer uses the
// buffer given.
type onlyReader struct{ io.Reader }

// eofBody is a request body that remembers being read to its end.
type eofBody struct {
	io.ReadCloser
	eof bool
}

func (b *eofBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.eof = true
	}
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// headerProbe captures what the mux's own 404/405 handler would answer.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(code int)        { p.status = code }

func statusLabel(code int) string {
	const digits = "0123456789"
	if code < 100 || code > 999 {
		return "other"
	}
	return string([]byte{digits[code/100], digits[code/10%10], digits[code%10]})
}
