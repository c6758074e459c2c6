package lldp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/hwagent/hwagent/inventory"
)

// Update is one decoded frame, or a read failure, on one interface.
type Update struct {
	// Interface is the interface the frame arrived on.
	Interface string
	// Neighbor is the decoded frame (possibly partial, see Err); nil when
	// the read itself failed.
	Neighbor *inventory.Neighbor
	// Err is the decoding problem of a partial neighbour, or the read error
	// that ended listening on Interface.
	Err error
}

// Listen reads frames from every Conn (keyed by interface name) until ctx
// ends, and sends an Update for each LLDP or CDP frame and for a read error
// that stops an interface. Each Conn is read by its own goroutine; ending
// ctx sets a past read deadline, so a blocked read returns at once, and no
// Update is sent after ctx ends: the caller may stop reading then. Listen
// closes the Conns; the channel is closed when all are closed (closing an
// AF_PACKET socket takes the kernel 5-15 ms, so callers that must return
// quickly should not wait for it).
//
// Neighbours get ReceivedAt from now (time.Now when nil).
func Listen(ctx context.Context, conns map[string]Conn, now func() time.Time) <-chan Update {
	if now == nil {
		now = time.Now
	}
	out := make(chan Update, len(conns))
	var wg sync.WaitGroup
	for name, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			read(ctx, name, c, now, out)
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// read is one interface's reader.
func read(ctx context.Context, name string, c Conn, now func() time.Time, out chan<- Update) {
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, maxFrame)
	for {
		n, _, err := c.ReadFrom(buf)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			// A deadline someone else set (ours means ctx is done), or
			// ENETDOWN, which the kernel reports once when the interface
			// was down at bind time or goes down: the socket keeps working
			// when it comes back up.
			if isTimeout(err) || errors.Is(err, syscall.ENETDOWN) {
				continue
			}
			send(ctx, out, Update{Interface: name, Err: fmt.Errorf("read %s: %w", name, err)})
			return
		}
		nb, err := DecodeFrame(buf[:n])
		if errors.Is(err, ErrNotDiscovery) || nb == nil {
			continue
		}
		nb.ReceivedAt = now().UTC()
		if !send(ctx, out, Update{Interface: name, Neighbor: nb, Err: err}) {
			return
		}
	}
}

func send(ctx context.Context, out chan<- Update, u Update) bool {
	select {
	case out <- u:
		return true
	case <-ctx.Done():
		return false
	}
}
