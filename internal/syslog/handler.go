package syslog

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

// DefaultPort is the syslog port over UDP (RFC 5426).
const DefaultPort = "514"

// writeTimeout bounds one datagram's send.
const writeTimeout = 100 * time.Millisecond

// Target turns Tinkerbell's syslog_host= value ("10.0.0.5", "10.0.0.5:5140",
// "[fd00::5]:514", "fd00::5") into host:port, port 514 unless given.
func Target(host string) (string, error) {
	if host == "" {
		return "", fmt.Errorf("syslog: empty host")
	}
	if h, p, err := net.SplitHostPort(host); err == nil {
		if _, err := strconv.ParseUint(p, 10, 16); err != nil || h == "" {
			return "", fmt.Errorf("syslog: %q: want HOST or HOST:PORT", host)
		}
		return host, nil
	}
	if ip := net.ParseIP(host); ip != nil || validName(host) {
		return net.JoinHostPort(host, DefaultPort), nil
	}
	return "", fmt.Errorf("syslog: %q: want HOST or HOST:PORT", host)
}

// validName accepts what can be a DNS name: letters, digits, '-' and '.'.
func validName(s string) bool {
	if len(s) > 253 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// Options configure a Handler.
type Options struct {
	// Level is the lowest level sent.
	Level slog.Leveler
	// Hostname and AppName go into every header; ProcID defaults to the
	// process ID.
	Hostname, AppName, ProcID string
}

// Dial opens the UDP socket to addr (host:port) for NewHandler. Resolving a
// name is bounded by ctx; an IP address needs no resolution.
func Dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return nil, fmt.Errorf("syslog: %w", err)
	}
	return c, nil
}

// Handler is a slog.Handler that writes each record as one RFC 5424
// message to w (a UDP socket from Dial: one Write, one datagram). The
// message text is slog's text format without time and level, which the
// header carries. Write errors are dropped: logging must not fail or block
// the agent because the receiver is down.
type Handler struct {
	s     *sender
	inner slog.Handler
}

// sender holds what every Handler derived from one NewHandler shares.
type sender struct {
	mu   sync.Mutex
	w    io.Writer
	opts Options
	hdr  Header // of the record being handled, under mu
	buf  []byte
}

// Write frames one line of the text handler.
func (s *sender) Write(p []byte) (int, error) {
	if n := len(p); n > 0 && p[n-1] == '\n' {
		p = p[:n-1]
	}
	s.buf = Append(s.buf[:0], s.hdr, string(p))
	if d, ok := s.w.(interface{ SetWriteDeadline(time.Time) error }); ok {
		// A full socket buffer must not hold the agent up.
		d.SetWriteDeadline(time.Now().Add(writeTimeout))
	}
	s.w.Write(s.buf) // dropped on error: see Handler
	return len(p), nil
}

// NewHandler returns a Handler writing to w.
func NewHandler(w io.Writer, opts Options) *Handler {
	if opts.ProcID == "" {
		opts.ProcID = strconv.Itoa(os.Getpid())
	}
	s := &sender{w: w, opts: opts}
	inner := slog.NewTextHandler(s, &slog.HandlerOptions{
		Level: opts.Level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey) {
				return slog.Attr{}
			}
			return a
		},
	})
	return &Handler{s: s, inner: inner}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	h.s.hdr = Header{Severity: Severity(r.Level), Time: t, Hostname: h.s.opts.Hostname, AppName: h.s.opts.AppName, ProcID: h.s.opts.ProcID}
	return h.inner.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &Handler{s: h.s, inner: h.inner.WithAttrs(as)}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{s: h.s, inner: h.inner.WithGroup(name)}
}
