package testutil

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Recorded is what a helper under test reported through the testing.TB
// that Record gave it.
type Recorded struct {
	// Errors are the Error and Errorf messages, in order.
	Errors []string
	// Fatal is the Fatal or Fatalf message that stopped the helper, "" if
	// it returned.
	Fatal string
}

// Failed reports whether the helper reported anything.
func (r *Recorded) Failed() bool { return r.Fatal != "" || len(r.Errors) > 0 }

// WantFatal fails t unless the helper stopped on a Fatal whose message
// contains want.
func (r *Recorded) WantFatal(t testing.TB, want string) {
	t.Helper()
	if r.Fatal == "" || !strings.Contains(r.Fatal, want) {
		t.Errorf("fatal = %q, want it to contain %q (errors: %q)", r.Fatal, want, r.Errors)
	}
}

// Record runs f, a call of a test helper, with a testing.TB that records
// Error and Fatal calls instead of failing t, so tests can check the
// helper's failures. f runs on its own goroutine, which Fatal ends as it
// ends a test's; everything else (TempDir, Context, Cleanup, Log, Skip) is
// t's.
func Record(t testing.TB, f func(tb testing.TB)) *Recorded {
	t.Helper()
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	r.mu.Lock()
	defer r.mu.Unlock()
	return &r.got
}

// recorder is a testing.TB (t's, for everything it does not record).
type recorder struct {
	testing.TB
	mu  sync.Mutex
	got Recorded
}

func (r *recorder) Helper() {}

func (r *recorder) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got.Errors = append(r.got.Errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

func (r *recorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.got.Fatal = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Fail() { r.Errorf("Fail called") }

func (r *recorder) FailNow() { r.Fatalf("FailNow called") }

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got.Failed()
}
