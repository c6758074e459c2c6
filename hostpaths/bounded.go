package hostpaths

import (
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// ReadTimeout bounds every read of the host: opening and reading a file,
// listing a directory, reading a link, stat. sysfs and procfs answer in
// microseconds, but a driver's attribute can hang on a wedged device and a
// network file system on a dead server; the agent must still finish the
// inventory, with the read recorded as failed.
const ReadTimeout = 10 * time.Second

// Errors of the bounded reads; errors.Is works through *fs.PathError.
var (
	// ErrTimeout: the read did not finish within ReadTimeout. The
	// operation goes on in the background and its result is dropped.
	ErrTimeout = errors.New("timed out")
	// ErrNotRegular: ReadFile was given a FIFO, socket, device or
	// directory. sysfs and procfs attributes are regular files; anything
	// else in their place is a hostile or broken tree (opening a FIFO
	// blocks until a writer comes, reading a device may never end).
	ErrNotRegular = errors.New("not a regular file")
)

// bounded runs fn and waits for it at most d. When d passes first it
// returns a *fs.PathError wrapping ErrTimeout; fn's goroutine finishes (or
// stays blocked) on its own, which costs a goroutine, never the caller. A
// panic in fn is raised again in the caller's goroutine, where the
// collector's recover can catch it: a panic in a goroutine of its own
// would end the agent.
func bounded[T any](d time.Duration, path, op string, fn func() (T, error)) (T, error) {
	type result struct {
		v        T
		err      error
		panicked bool
		panicVal any
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if r.panicked {
				r.panicVal = recover()
			}
			done <- r
		}()
		r.panicked = true
		r.v, r.err = fn()
		r.panicked = false
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case r := <-done:
		if r.panicked {
			panic(r.panicVal)
		}
		return r.v, r.err
	case <-t.C:
		var zero T
		return zero, &fs.PathError{Op: op, Path: path, Err: fmt.Errorf("%w after %v", ErrTimeout, d)}
	}
}

// Unbounded returns a copy of p whose reads are made directly, in the
// caller's goroutine, instead of each being handed to a goroutine and
// bounded by ReadTimeout: for a caller that bounds them all together (the
// collector runner, which bounds each collector by its deadline). Devices
// opened through OpenDevice stay bounded one by one.
func (p *Paths) Unbounded() *Paths {
	if p.direct {
		return p
	}
	q := *p
	q.direct = true
	return &q
}

// Bounded returns a copy of p whose reads are each bounded by
// ReadTimeout: for the few reads inside an Unbounded caller that reach a
// driver or firmware that may hang (EFI variables, a NIC's link settings),
// where a hang should cost that read, not the caller.
func (p *Paths) Bounded() *Paths {
	if !p.direct {
		return p
	}
	q := *p
	q.direct = false
	return &q
}

// BoundsEachRead says whether each read through p is bounded by
// ReadTimeout (false for Unbounded's copies).
func (p *Paths) BoundsEachRead() bool { return !p.direct }

// run is bounded by ReadTimeout, or a plain call for an Unbounded Paths.
func run[T any](p *Paths, path, op string, fn func() (T, error)) (T, error) {
	if p.direct {
		return fn()
	}
	return bounded(ReadTimeout, path, op, fn)
}
