package server

import (
	"bytes"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/sync/semaphore"
)

// A body reserves what arrives, never the 64 KiB read buffer per request
// that once held 340 MiB in a burst of 10,000 connections: with its length
// announced, at most that length and one byte; without, less than twice
// what arrived and a small step. Its buffer is what it reserved.
func TestIntakeReservesWhatArrives(t *testing.T) {
	t.Parallel()
	const budget = 8 << 20
	for _, tt := range []struct {
		name      string
		size      int
		announced bool
	}{
		{"inventory", 47_581, true},
		{"inventory, chunked", 47_581, false},
		{"check-in", 180, true},
		{"empty", 0, true},
		{"large", 3 << 20, true},
		{"large, chunked", 3 << 20, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := &intake{budget: semaphore.NewWeighted(budget), timeout: 10 * time.Second, queueTimeout: time.Second, limit: 4 << 20}
			data := bytes.Repeat([]byte("x"), tt.size)
			var body io.Reader = bytes.NewReader(data)
			if !tt.announced {
				body = io.MultiReader(body) // hides the length
			}
			r := httptest.NewRequest("POST", "/v1/register", body)
			if !tt.announced {
				r.ContentLength = -1
			}
			b, err := in.read(httptest.NewRecorder(), r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.data, data) {
				t.Fatalf("read %d bytes, want the %d sent", len(b.data), len(data))
			}
			most := int64(tt.size) + 1
			if !tt.announced {
				most = 2*int64(tt.size) + smallStep
			}
			if b.reserved > most || int64(cap(b.data)) != b.reserved {
				t.Errorf("%d bytes reserved, buffer of %d, want at most %d and the buffer what is reserved", b.reserved, cap(b.data), most)
			}
			if in.budget.TryAcquire(budget - b.reserved + 1) {
				t.Errorf("the budget does not hold the %d bytes reserved", b.reserved)
			}
			b.release()
			if !in.budget.TryAcquire(budget) {
				t.Errorf("release did not return the budget")
			}
		})
	}
}

// Bodies arriving in pieces together, more than the budget holds: each is
// reserved whole before it is read, so none waits for more budget while
// holding some, and every one is read as the others release theirs.
// Reserved piece by piece as they arrived, they held the budget between
// them and all waited until the queue timeout (429).
func TestIntakeBurstCompletes(t *testing.T) {
	t.Parallel()
	const bodies, size = 30, 47_581
	in := &intake{budget: semaphore.NewWeighted(3 * size), timeout: 10 * time.Second, queueTimeout: 3 * time.Second, limit: 4 << 20}
	errs := make(chan error, bodies)
	for range bodies {
		go func() {
			pr, pw := io.Pipe()
			go func() {
				chunk := bytes.Repeat([]byte("x"), 4096)
				for sent := 0; sent < size; sent += len(chunk) {
					pw.Write(chunk[:min(len(chunk), size-sent)]) //nolint:errcheck // the reader reports
					time.Sleep(time.Millisecond)
				}
				pw.Close()
			}()
			r := httptest.NewRequest("POST", "/v1/register", pr)
			r.ContentLength = size
			b, err := in.read(httptest.NewRecorder(), r)
			if err == nil {
				time.Sleep(5 * time.Millisecond) // processed
				b.release()
			}
			errs <- err
		}()
	}
	for range bodies {
		if err := <-errs; err != nil {
			t.Errorf("a body of the burst: %v", err)
		}
	}
}
