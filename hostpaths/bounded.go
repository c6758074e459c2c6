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
// stays blocked) on its own, which costs a goroutine, never the caller.
func bounded[T any](d time.Duration, path, op string, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-t.C:
		var zero T
		return zero, &fs.PathError{Op: op, Path: path, Err: fmt.Errorf("%w after %v", ErrTimeout, d)}
	}
}
