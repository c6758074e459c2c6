package client

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client/clienttest"
)

// topRand always draws the top of the window, so waits are predictable.
type topRand struct{}

func (topRand) Int64N(n int64) int64 { return n - 1 }

func TestRetrierHonoursRetryAfterAndReplaysTheBody(t *testing.T) {
	t.Parallel()
	srv := clienttest.New(enrollToken)
	defer srv.Close()
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	srv.Inject(
		clienttest.Fault{Status: 503, Code: api.CodeUnavailable, RetryAfter: "2"},
		clienttest.Fault{Status: 500, Body: "internal error"},
		clienttest.Fault{Status: 429, Code: api.CodeRateLimited, RetryAfter: now.Add(5 * time.Second).Format(http.TimeFormat)},
	)
	c, err := New(Options{Server: srv.URL, EnrollmentToken: enrollToken, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordSleep{}
	var attempts []int
	r := Retrier{
		Backoff: Backoff{Base: 100 * time.Millisecond, Cap: time.Second, Rand: topRand{}},
		Sleep:   rec.sleep,
		OnRetry: func(n int, _ time.Duration, _ error) { attempts = append(attempts, n) },
	}
	var reg *api.RegisterResponse
	err = r.Do(context.Background(), func(ctx context.Context) (err error) {
		reg, err = c.Register(ctx, x9dbl())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Retry-After plus the top of each full-jitter window (100, 200, 400 ms).
	want := []time.Duration{2*time.Second + 100*time.Millisecond, 200 * time.Millisecond, 5*time.Second + 400*time.Millisecond}
	if diff := cmp.Diff(want, rec.waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 2, 3}, attempts); diff != "" {
		t.Errorf("attempts (-want +got):\n%s", diff)
	}
	reqs := srv.Requests()
	if len(reqs) != 4 || reg.MachineID == "" {
		t.Fatalf("%d requests, machine %q; want 4 and a registration", len(reqs), reg.MachineID)
	}
	// resty replays a []byte body intact; an io.Reader would be empty on
	// the second attempt.
	for i, q := range reqs {
		if len(q.Body) == 0 || !bytes.Equal(q.Body, reqs[0].Body) {
			t.Errorf("attempt %d sent %d bytes, want the same %d as the first", i+1, len(q.Body), len(reqs[0].Body))
		}
	}
}

func TestRetrierStopsOn4xx(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 409, 413, 422} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			srv := clienttest.New(enrollToken)
			defer srv.Close()
			srv.Inject(clienttest.Fault{Status: status, Code: "x"})
			c := newClient(t, srv, enrollToken, nil)
			rec := &recordSleep{}
			err := Retrier{Sleep: rec.sleep}.Do(context.Background(), func(ctx context.Context) error {
				_, err := c.Register(ctx, x9dbl())
				return err
			})
			if !IsStatus(err, status) {
				t.Errorf("err = %v, want %d", err, status)
			}
			if n := len(srv.Requests()); n != 1 || len(rec.waits) != 0 {
				t.Errorf("%d requests and %d waits, want 1 and 0", n, len(rec.waits))
			}
		})
	}
}

func TestRetrierNetworkErrorsUntilTheContextEnds(t *testing.T) {
	t.Parallel()
	srv := clienttest.New(enrollToken)
	c := newClient(t, srv, enrollToken, nil)
	srv.Close() // connection refused from now on
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var waits []time.Duration
	r := Retrier{
		Backoff: Backoff{Base: time.Second, Cap: 4 * time.Second, Rand: topRand{}},
		Sleep: func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			if len(waits) == 5 {
				cancel()
			}
			return ctx.Err()
		},
	}
	err := r.Do(ctx, func(ctx context.Context) error {
		_, err := c.Register(ctx, x9dbl())
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want the context's cancellation", err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second}
	if diff := cmp.Diff(want, waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	if err := Sleep(ctx, time.Millisecond); err != nil {
		t.Errorf("Sleep = %v", err)
	}
	cancel()
	// A cancelled context ends the wait at once (or the test times out).
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep after cancel = %v", err)
	}
}
