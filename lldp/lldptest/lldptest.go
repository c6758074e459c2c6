// Package lldptest provides fakes of the lldp package's narrow interfaces:
// a Conn that replays frames and a LinkController that keeps link states in
// memory.
package lldptest

import (
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// Conn is a fake lldp.Conn: ReadFrom returns the frames given to Send, in
// order, and honours read deadlines like a socket.
type Conn struct {
	frames chan []byte
	mu     sync.Mutex
	wake   chan struct{} // closed and replaced when the deadline changes
	dl     time.Time
	closed bool
}

// NewConn returns a Conn with room for buffered frames.
func NewConn() *Conn {
	return &Conn{frames: make(chan []byte, 64), wake: make(chan struct{})}
}

// Send queues a frame for ReadFrom; it blocks when 64 frames are queued.
func (c *Conn) Send(frame []byte) { c.frames <- frame }

// ReadFrom implements lldp.Conn.
func (c *Conn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return 0, nil, net.ErrClosed
		}
		dl, wake := c.dl, c.wake
		c.mu.Unlock()
		var timer *time.Timer
		var expired <-chan time.Time
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return 0, nil, fmt.Errorf("fake read: %w", os.ErrDeadlineExceeded)
			}
			timer = time.NewTimer(d)
			expired = timer.C
		}
		select {
		case f := <-c.frames:
			stopTimer(timer)
			return copy(b, f), nil, nil
		case <-expired:
			return 0, nil, fmt.Errorf("fake read: %w", os.ErrDeadlineExceeded)
		case <-wake:
			stopTimer(timer)
		}
	}
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

// SetReadDeadline implements lldp.Conn.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dl = t
	close(c.wake)
	c.wake = make(chan struct{})
	return nil
}

// Close implements lldp.Conn.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		close(c.wake)
		c.wake = make(chan struct{})
	}
	return nil
}

// Closed reports whether Close was called.
func (c *Conn) Closed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// Links is a fake lldp.LinkController over a map of administrative states.
type Links struct {
	mu    sync.Mutex
	up    map[string]bool
	calls []string
}

// NewLinks returns Links with the given states.
func NewLinks(up map[string]bool) *Links {
	m := map[string]bool{}
	for k, v := range up {
		m[k] = v
	}
	return &Links{up: m}
}

// AdminUp implements lldp.LinkController.
func (l *Links) AdminUp(name string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	up, ok := l.up[name]
	if !ok {
		return false, fmt.Errorf("link %s: %w", name, os.ErrNotExist)
	}
	return up, nil
}

// SetAdminUp implements lldp.LinkController.
func (l *Links) SetAdminUp(name string, up bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.up[name]; !ok {
		return fmt.Errorf("link %s: %w", name, os.ErrNotExist)
	}
	l.up[name] = up
	l.calls = append(l.calls, fmt.Sprintf("%s up=%t", name, up))
	return nil
}

// State returns the current administrative states.
func (l *Links) State() map[string]bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := map[string]bool{}
	for k, v := range l.up {
		m[k] = v
	}
	return m
}

// Calls lists the SetAdminUp calls made, as "name up=bool".
func (l *Links) Calls() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.calls...)
}
