package server

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// Every connection the server serves costs memory whatever it carries: a
// goroutine and its stack, net/http's 4 KiB read and 4 KiB write buffers,
// its request state; about 20 KiB, 200 MiB for the 10,000 connections of a
// 10,000-machine burst, or of 10,000 agents keeping their connection
// between check-ins. So the connections served are bounded
// (Config.MaxConnections). New connections are accepted from the kernel at
// once and wait in a queue (a socket and a few hundred bytes each) until
// one is served: past the bound, when the connection idle the longest (a
// kept-alive one between two requests, idle for at least minIdleToClose)
// is closed, its agent opening a new one for its next request, or when
// another ends. Left in the kernel's listen queue instead, they overflowed
// it in a burst, and the kernel dropped the connection attempts it had no
// room for: their clients tried again 1, 3, 7, 15 s later while the
// server sat idle (a 10,000-registration burst took 33 s instead of 13).

// minIdleToClose is how long a connection must have been idle to be
// closed for a new one. An agent sends its next request on a kept-alive
// connection seconds later (a check-in interval, a Retry-After): by then
// its client has seen the connection closed and opens a new one, whereas
// one closed as the agent sends on it fails that request (retried).
const minIdleToClose = 5 * time.Second

// acceptPoll is how often a full Accept looks for an idle connection to
// close when no connection ended meanwhile.
const acceptPoll = 100 * time.Millisecond

// maxWaiting bounds the connections accepted and not yet served; past it
// they wait in the kernel's listen queue.
const maxWaiting = 16384

// connLimit is a listener serving at most max connections at once.
// Past seven eighths of them, answers close their connections (crowded).
type connLimit struct {
	inner   net.Listener
	max     int
	waiting chan net.Conn // accepted from the kernel, not yet served
	err     chan error    // the kernel listener's last error
	closed  chan struct{}
	once    sync.Once
	// freed receives (without blocking) when a connection closes.
	freed chan struct{}
	// reaped counts the idle connections closed for new ones.
	reaped func()

	mu   sync.Mutex
	open int
	idle map[*limitedConn]time.Time // idle connections and since when
}

func newConnLimit(ln net.Listener, max int, reaped func()) *connLimit {
	l := &connLimit{inner: ln, max: max, waiting: make(chan net.Conn, maxWaiting), err: make(chan error, 1),
		closed: make(chan struct{}), freed: make(chan struct{}, 1), reaped: reaped, idle: map[*limitedConn]time.Time{}}
	go l.acceptKernel()
	return l
}

// acceptKernel accepts connections from the kernel as they come, into
// waiting.
func (l *connLimit) acceptKernel() {
	var delay time.Duration
	for {
		c, err := l.inner.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) || errors.Is(err, syscall.ECONNABORTED) {
				// Out of file descriptors, or a connection gone before it
				// was accepted: wait a little, as net/http does.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				select {
				case <-time.After(delay):
					continue
				case <-l.closed:
					return
				}
			}
			l.err <- err
			return
		}
		delay = 0
		select {
		case l.waiting <- c:
		case <-l.closed:
			c.Close()
			return
		}
	}
}

// Accept returns the next waiting connection once the server serves fewer
// than max (closing the longest idle one when it may).
func (l *connLimit) Accept() (net.Conn, error) {
	var c net.Conn
	select {
	case c = <-l.waiting:
	case err := <-l.err:
		l.err <- err
		return nil, err
	case <-l.closed:
		return nil, net.ErrClosed
	}
	for !l.reserve() {
		if victim := l.longestIdle(time.Now()); victim != nil {
			victim.Close() //nolint:errcheck // closing an idle connection
			l.reaped()
			continue
		}
		t := time.NewTimer(acceptPoll)
		select {
		case <-l.freed:
		case <-t.C:
		case <-l.closed:
			t.Stop()
			c.Close()
			return nil, net.ErrClosed
		}
		t.Stop()
	}
	return &limitedConn{Conn: c, l: l}, nil
}

// Close stops accepting; connections still waiting are closed.
func (l *connLimit) Close() error {
	l.once.Do(func() { close(l.closed) })
	err := l.inner.Close()
	for {
		select {
		case c := <-l.waiting:
			c.Close()
		default:
			return err
		}
	}
}

// Addr is the kernel listener's address.
func (l *connLimit) Addr() net.Addr { return l.inner.Addr() }

func (l *connLimit) reserve() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open >= l.max {
		return false
	}
	l.open++
	return true
}

// longestIdle takes out of the idle set and returns the connection idle
// the longest, if it has been for minIdleToClose.
func (l *connLimit) longestIdle(now time.Time) *limitedConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	var victim *limitedConn
	var since time.Time
	for c, t := range l.idle {
		if victim == nil || t.Before(since) {
			victim, since = c, t
		}
	}
	if victim == nil || now.Sub(since) < minIdleToClose {
		return nil
	}
	delete(l.idle, victim)
	return victim
}

// state follows http.Server.ConnState: idle connections may be closed for
// new ones.
func (l *connLimit) state(c net.Conn, s http.ConnState) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if s == http.StateIdle && !lc.closed {
		l.idle[lc] = time.Now()
	} else {
		delete(l.idle, lc)
	}
}

// inUse is the number of connections served.
func (l *connLimit) inUse() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// queued is the number of connections waiting to be served.
func (l *connLimit) queued() int { return len(l.waiting) }

// crowded reports whether connections wait to be served, or fewer than an
// eighth of the places are free: then every answer closes its connection
// (Connection: close), so that its place goes at once to the next one
// rather than after minIdleToClose. An agent's next request is seconds
// away (a check-in interval, a Retry-After), and a new connection then
// costs it a TCP handshake; left open, the places were all held by idle
// connections after a burst, and for 5 s every agent checking in waited
// for one (bench/load: check-in p99 1.9 s in the first 10 s after a
// 10,000-machine burst, 300 ms over the phase; 1.2 ms with room for every
// connection).
func (l *connLimit) crowded() bool {
	if len(l.waiting) > 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return 8*l.open >= 7*l.max
}

// limitedConn gives its place back when closed.
type limitedConn struct {
	net.Conn
	l      *connLimit
	closed bool // under l.mu
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.l.mu.Lock()
	if !c.closed {
		c.closed = true
		c.l.open--
		delete(c.l.idle, c)
	}
	c.l.mu.Unlock()
	select {
	case c.l.freed <- struct{}{}:
	default:
	}
	return err
}
