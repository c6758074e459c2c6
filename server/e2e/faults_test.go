package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/servertest"
	"github.com/hwagent/hwagent/server/testinv"
)

func count(t *testing.T, s *servertest.Serve) int {
	t.Helper()
	var l api.MachineList
	must(t, s, "GET", api.PathMachines+"?limit=10000", adminToken, nil, 200, &l)
	return len(l.Machines)
}

func TestConcurrentDuplicateRegistrations(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		s := serve(t, dsn)
		const n = 50
		ids := make([]string, n)
		creds := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := register(s.URL, testinv.Machine(21))
				if err != nil {
					t.Error(err)
					return
				}
				ids[i], creds[i] = res.MachineID, res.Credential
			}()
		}
		wg.Wait()
		var l api.MachineList
		must(t, s, "GET", api.PathMachines, adminToken, nil, 200, &l)
		if len(l.Machines) != 1 {
			t.Fatalf("%d machines after %d concurrent registrations of one machine, want 1", len(l.Machines), n)
		}
		valid := 0
		for i := range n {
			if ids[i] != l.Machines[0].ID {
				t.Errorf("registration %d answered machine %s, want %s", i, ids[i], l.Machines[0].ID)
			}
			// Exactly one credential, the last committed, still works.
			status, _, _, err := call(s.URL, "POST", fmt.Sprintf(api.PathCheckinFmt, ids[i]), creds[i], api.CheckinRequest{State: "registered"})
			if err != nil {
				t.Fatal(err)
			}
			if status == 200 {
				valid++
			}
		}
		if valid != 1 {
			t.Errorf("%d of the %d credentials work, want 1 (each registration rotates it)", valid, n)
		}
	})
}

func TestWrongTokens(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		s := serve(t, dsn)
		a, err := register(s.URL, testinv.Machine(31))
		if err != nil {
			t.Fatal(err)
		}
		b, err := register(s.URL, testinv.Machine(32))
		if err != nil {
			t.Fatal(err)
		}
		aCheckin := fmt.Sprintf(api.PathCheckinFmt, a.MachineID)
		ci := api.CheckinRequest{State: api.StateReleased, InventoryDigest: inventory.Digest(testinv.Machine(32))}
		for _, tt := range []struct {
			name, method, path, token string
			body                      any
			status                    int
		}{
			{"register without a token", "POST", api.PathRegister, "", api.RegisterRequest{Inventory: testinv.Machine(33)}, 401},
			{"register with a wrong token", "POST", api.PathRegister, "not-the-enrollment-token", api.RegisterRequest{Inventory: testinv.Machine(33)}, 401},
			{"check in without a token", "POST", aCheckin, "", ci, 401},
			{"check in with a made-up credential", "POST", aCheckin, "hwm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ci, 401},
			{"check in as another machine", "POST", aCheckin, b.Credential, ci, 403},
			{"overwrite another machine's inventory", "PUT", fmt.Sprintf(api.PathInventoryFmt, a.MachineID), b.Credential, api.InventoryRequest{Inventory: testinv.Machine(32)}, 403},
			{"operator API without a token", "GET", api.PathMachines, "", nil, 401},
			{"operator API with the enrollment token", "GET", api.PathMachines, enrollToken, nil, 401},
			{"operator action with a machine credential", "PUT", fmt.Sprintf(api.PathActionFmt, a.MachineID), a.Credential, api.ActionRequest{Action: "poweroff"}, 401},
			{"delete with a machine credential", "DELETE", fmt.Sprintf(api.PathMachineFmt, b.MachineID), a.Credential, nil, 401},
		} {
			e := must(t, s, tt.method, tt.path, tt.token, tt.body, tt.status, nil)
			want := map[int]string{401: api.CodeUnauthorized, 403: api.CodeForbidden}[tt.status]
			if e.Code != want {
				t.Errorf("%s: code %q, want %q", tt.name, e.Code, want)
			}
		}
		var m api.Machine
		must(t, s, "GET", fmt.Sprintf(api.PathMachineFmt, a.MachineID), adminToken, nil, 200, &m)
		if m.State != api.StateRegistered || m.PendingAction != "" || inventory.Digest(m.Inventory) != inventory.Digest(testinv.Machine(31)) {
			t.Errorf("machine a changed by refused calls: state %q pending %q", m.State, m.PendingAction)
		}
		if n := count(t, s); n != 2 {
			t.Errorf("%d machines, want 2", n)
		}
	})
}

func TestRefusedBodiesStoreNothing(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		s := serve(t, dsn, "--max-body-bytes", "65536")
		good, _ := json.Marshal(api.RegisterRequest{Inventory: testinv.Machine(41)})
		big := testinv.Machine(42)
		big.PCI.Devices = append(big.PCI.Devices, big.PCI.Devices...)
		big.PCI.Devices = append(big.PCI.Devices, big.PCI.Devices...)
		bigBody, _ := json.Marshal(api.RegisterRequest{Inventory: big})
		for _, tt := range []struct {
			name   string
			body   []byte
			status int
			code   string
		}{
			{"malformed", good[:len(good)-3], 400, api.CodeInvalidBody},
			{"unknown field", bytes.Replace(good, []byte(`"smbios_version"`), []byte(`"smbios_flavour":"x","smbios_version"`), 1), 400, api.CodeInvalidBody},
			{"wrong type", bytes.Replace(good, []byte(`"slot_count":18`), []byte(`"slot_count":"eighteen"`), 1), 400, api.CodeInvalidBody},
			{"two values", []byte(`{"inventory":null}[]`), 400, api.CodeInvalidBody},
			{"oversized", bigBody, 413, api.CodeTooLarge},
		} {
			if bytes.Equal(tt.body, good) {
				t.Fatalf("%s: the mutation did not apply", tt.name)
			}
			if e := must(t, s, "POST", api.PathRegister, enrollToken, tt.body, tt.status, nil); e.Code != tt.code {
				t.Errorf("%s: %+v, want code %s", tt.name, e, tt.code)
			}
		}
		if n := count(t, s); n != 0 {
			t.Errorf("%d machines stored by refused registrations", n)
		}
	})
}

// kill -9 during a burst of 1,000 registrations from concurrent clients;
// after a restart on the same database every acknowledged registration is
// there, with the credential it was acknowledged with.
func TestKillDuringRegistrationBurst(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		s, err := servertest.StartServe(bin, servertest.ServeOptions{Database: dsn, EnrollToken: enrollToken, AdminToken: adminToken})
		if err != nil {
			t.Fatal(err)
		}
		const total, clients = 1000, 32
		bodies := make([][]byte, total)
		for i := range bodies {
			bodies[i], _ = json.Marshal(api.RegisterRequest{Inventory: testinv.Machine(100000 + i)})
		}
		type ack struct{ id, cred string }
		acks := make([]*ack, total)
		var acked, failed atomic.Int64
		next := atomic.Int64{}
		var wg sync.WaitGroup
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= total {
						return
					}
					status, _, b, err := call(s.URL, "POST", api.PathRegister, enrollToken, bodies[i])
					if err != nil || status != 200 {
						failed.Add(1)
						continue
					}
					var r api.RegisterResponse
					if err := json.Unmarshal(b, &r); err != nil {
						t.Errorf("registration %d: %v", i, err)
						continue
					}
					acks[i] = &ack{r.MachineID, r.Credential}
					acked.Add(1)
				}
			}()
		}
		// Kill once about 40% are acknowledged, while the rest are in flight.
		for acked.Load() < total*4/10 {
			time.Sleep(time.Millisecond)
		}
		s.Kill()
		wg.Wait()
		t.Logf("%d acknowledged before kill -9, %d failed", acked.Load(), failed.Load())
		if failed.Load() == 0 {
			t.Errorf("no registration failed: the kill did not land during the burst")
		}

		s2 := serve(t, dsn)
		var l api.MachineList
		must(t, s2, "GET", api.PathMachines+"?limit=10000", adminToken, nil, 200, &l)
		present := map[string]bool{}
		for _, m := range l.Machines {
			present[m.ID] = true
		}
		missing := 0
		for i, a := range acks {
			if a == nil {
				continue
			}
			if !present[a.id] {
				missing++
				t.Errorf("registration %d acknowledged as %s is gone after kill -9", i, a.id)
				continue
			}
			status, _, b, err := call(s2.URL, "POST", fmt.Sprintf(api.PathCheckinFmt, a.id), a.cred,
				api.CheckinRequest{State: "registered", InventoryDigest: inventory.Digest(testinv.Machine(100000 + i))})
			if err != nil || status != 200 || !strings.Contains(string(b), `"action":"none"`) {
				t.Errorf("machine %s: check-in with its acknowledged credential: %d %s %v", a.id, status, b, err)
			}
		}
		if len(l.Machines) < int(acked.Load()) {
			t.Errorf("%d machines after restart, %d were acknowledged", len(l.Machines), acked.Load())
		}
		// The agents whose registration was lost retry: every machine ends
		// up registered exactly once.
		for i, a := range acks {
			if a == nil {
				if _, err := register(s2.URL, testinv.Machine(100000+i)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if n := count(t, s2); n != total {
			t.Errorf("%d machines after the retries, want %d", n, total)
		}
	})
}

// TestGracefulShutdown: requests in flight when SIGTERM arrives all
// succeed, and what they wrote is there after a restart. Twenty
// registrations send their headers and half their bodies, SIGTERM is sent,
// and only then do the bodies complete: every one of them must be
// answered 200 while the server is still shutting down.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	dsn := backends[0].dsn(t)
	s, err := servertest.StartServe(bin, servertest.ServeOptions{Database: dsn, EnrollToken: enrollToken, AdminToken: adminToken})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	type inFlight struct {
		conn net.Conn
		rest []byte
	}
	reqs := make([]inFlight, n)
	for i := range reqs {
		body, err := json.Marshal(api.RegisterRequest{Inventory: testinv.Machine(500 + i)})
		if err != nil {
			t.Fatal(err)
		}
		c, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", api.PathRegister, u.Host, enrollToken, len(body))
		if _, err := c.Write(append([]byte(head), body[:len(body)/2]...)); err != nil {
			t.Fatal(err)
		}
		reqs[i] = inFlight{c, body[len(body)/2:]}
	}
	time.Sleep(200 * time.Millisecond) // the server has read the headers: the connections are active
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop() }()
	time.Sleep(300 * time.Millisecond) // SIGTERM delivered, the server shutting down
	select {
	case err := <-stopped:
		t.Fatalf("the server exited with %d requests in flight: %v\n%s", n, err, s.Logs())
	default:
	}
	for i, r := range reqs {
		if _, err := r.conn.Write(r.rest); err != nil {
			t.Fatalf("request %d: finish the body: %v", i, err)
		}
	}
	for i, r := range reqs {
		r.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(r.conn), nil)
		if err != nil {
			t.Errorf("request %d in flight at SIGTERM: no answer: %v", i, err)
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var reg api.RegisterResponse
		if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &reg) != nil || reg.MachineID == "" {
			t.Errorf("request %d in flight at SIGTERM: %s %s", i, resp.Status, b)
		}
	}
	if err := <-stopped; err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, s.Logs())
	}
	if !strings.Contains(s.Logs(), `"msg":"stopped","err":null`) {
		t.Errorf("no clean stop in the log:\n%s", tail(s.Logs(), 5))
	}
	// What was acknowledged is there.
	s2 := serve(t, dsn)
	if got := count(t, s2); got != n {
		t.Errorf("%d machines after restart, want the %d registrations in flight at SIGTERM", got, n)
	}
}
