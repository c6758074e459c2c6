package server

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/testinv"
)

// trickler is a client that sends a request's headers, announces a body
// and then sends it one byte at a time, as slowly as it likes, until the
// server answers or it is stopped.
type trickler struct {
	conn   net.Conn
	stop   chan struct{}
	answer chan int
}

func startTrickler(t *testing.T, url, method, path, token string, length int) *trickler {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: hwagent\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", method, path, token, length)
	tr := &trickler{conn: conn, stop: make(chan struct{}), answer: make(chan int, 1)}
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			tr.answer <- 0
			return
		}
		resp.Body.Close()
		tr.answer <- resp.StatusCode
	}()
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tr.stop:
				return
			case <-answered:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	return tr
}

// status stops trickling and returns the status the server answered (0:
// none within 20 s).
func (tr *trickler) status() int {
	close(tr.stop)
	select {
	case s := <-tr.answer:
		return s
	case <-time.After(20 * time.Second):
		return 0
	}
}

func stopAll(ts []*trickler) map[int]int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	got := map[int]int{}
	for _, tr := range ts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := tr.status()
			mu.Lock()
			got[s]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return got
}

// Issue 11 row 1: 70 connections trickling a register body with the
// enrollment token held every processing slot, and every real
// registration got 429 for as long as they lasted. Bodies are now read,
// under a deadline, before a request takes a slot.
func TestSlowRegisterBodiesDoNotHoldSlots(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) {
		c.MaxHeavy = 2
		c.QueueTimeout = 200 * time.Millisecond
		c.BodyTimeout = 3 * time.Second
	})
	var slow []*trickler
	for i := 0; i < 70; i++ {
		slow = append(slow, startTrickler(t, f.url, "POST", api.PathRegister, enrollToken, 100000))
	}
	time.Sleep(300 * time.Millisecond) // every trickler is past its headers
	for i := 1; i <= 3; i++ {
		status, _, body := f.do("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: testinv.Machine(i)})
		if status != 200 {
			t.Errorf("registration %d while 70 bodies trickle: %d %s", i, status, body)
		}
	}
	if got := stopAll(slow); got[http.StatusRequestTimeout] != 70 {
		t.Errorf("the trickling clients got %v, want 70 × 408", got)
	}
	status, _, body := f.do("GET", "/metrics", "", nil)
	if status != 200 || !strings.Contains(string(body), `hwagent_server_registrations_total{result="timeout"} 70`) {
		t.Errorf("metrics do not count the timeouts")
	}
}

// Issue 11 row 2: 260 slow check-in bodies with one machine's credential
// got every machine's check-in 429. A credential's share of requests in
// progress is bounded, and bodies are read before a slot is taken.
func TestOneCredentialCannotTakeTheSlots(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) {
		c.MaxCheckins = 4
		c.QueueTimeout = 200 * time.Millisecond
		c.BodyTimeout = 3 * time.Second
	})
	a := f.register(testinv.Machine(1))
	b := f.register(testinv.Machine(2))
	path := fmt.Sprintf(api.PathCheckinFmt, a.MachineID)
	var slow []*trickler
	for i := 0; i < 260; i++ {
		slow = append(slow, startTrickler(t, f.url, "POST", path, a.Credential, 1000))
	}
	time.Sleep(300 * time.Millisecond)
	var r api.CheckinResponse
	f.call("POST", fmt.Sprintf(api.PathCheckinFmt, b.MachineID), b.Credential, api.CheckinRequest{State: "registered"}, 200, &r)
	// The machine's own share is used up: its next request waits its turn.
	e := f.call("POST", path, a.Credential, api.CheckinRequest{State: "registered"}, 429, nil)
	if e.Code != api.CodeRateLimited {
		t.Errorf("another request with the flooding credential: %+v", e)
	}
	got := stopAll(slow)
	if got[http.StatusTooManyRequests] != 260-DefaultMaxPerCredential || got[http.StatusRequestTimeout] != DefaultMaxPerCredential {
		t.Errorf("the trickling clients got %v, want %d × 429 and %d × 408", got, 260-DefaultMaxPerCredential, DefaultMaxPerCredential)
	}
	// Once they are gone, the machine checks in again.
	f.call("POST", path, a.Credential, api.CheckinRequest{State: "registered"}, 200, &r)
}

// The bodies read and not yet processed are bounded: a registration waits
// for room (at most the queue timeout, then 429), and gets it back when
// the requests holding it end.
func TestBodyMemoryBudget(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) {
		c.MaxBodyBytes = 64 << 10
		c.MaxBodyMemory = 128 << 10
		c.QueueTimeout = 200 * time.Millisecond
		c.BodyTimeout = 2 * time.Second
	})
	// Two clients send 56 KB of a 64 KB body at once, then stall: the
	// budget holds what they sent.
	var stalled []*trickler
	for i := 0; i < 2; i++ {
		tr := startTrickler(t, f.url, "POST", api.PathRegister, enrollToken, 64<<10)
		if _, err := tr.conn.Write([]byte(strings.Repeat(" ", 56<<10))); err != nil {
			t.Fatal(err)
		}
		stalled = append(stalled, tr)
	}
	time.Sleep(300 * time.Millisecond)
	status, hdr, body := f.do("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: testinv.Machine(1)})
	if status != 429 || hdr.Get("Retry-After") == "" {
		t.Errorf("registration with the body budget used up: %d %s, want 429 with Retry-After", status, body)
	}
	if got := stopAll(stalled); got[http.StatusRequestTimeout] != 2 {
		t.Errorf("the stalled clients got %v, want 2 × 408", got)
	}
	f.register(testinv.Machine(1))
}
