package server

import (
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bougou/go-ipmi/pkg/bmc"
	"github.com/bougou/go-ipmi/pkg/clock"
	"github.com/bougou/go-ipmi/pkg/hal/mock"
	ipmiserver "github.com/bougou/go-ipmi/pkg/server"
	"github.com/bougou/go-ipmi/pkg/transport/udp"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/bmcverify"
	"github.com/hwagent/hwagent/server/testinv"
)

// refBMC is go-ipmi's reference BMC on a UDP port of 127.0.0.1 with one
// administrator, counting the RMCP+ logins it receives (RAKP message 1:
// what a BMC counts a failed login from).
type refBMC struct {
	Addr   string
	logins atomic.Int64
}

func startRefBMC(t *testing.T, user, password string) *refBMC {
	t.Helper()
	b := bmc.New(bmc.DeviceInfo{DeviceID: 32, DeviceRevision: 1, FirmwareMajor: 1, IPMIVersion: 0x20, ManufacturerID: 674, ProductID: 1},
		[16]byte{1}, mock.New(), bmc.WithClock(clock.Real))
	u, err := b.Users.Add(3, user)
	if err != nil {
		t.Fatal(err)
	}
	u.SetPassword([]byte(password))
	u.Enabled = true
	u.ChannelAccess[1] = bmc.UserChannelAccess{MaxPrivilege: bmc.PrivilegeLevelAdministrator, Enabled: true}
	conn, err := udp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &refBMC{Addr: conn.LocalAddr().String()}
	srv := ipmiserver.NewServer(b, &countingConn{Conn: conn, rakp1: &r.logins})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ctx) }() //nolint:errcheck // ends with the test
	t.Cleanup(func() { cancel(); srv.Close(); conn.Close(); <-done })
	return r
}

// countingConn counts the RAKP message 1 datagrams it reads: RMCP header
// (4 bytes), then the RMCP+ session header's auth type 06h and payload
// type 12h (IPMI 2.0 section 13.6).
type countingConn struct {
	*udp.Conn
	rakp1 *atomic.Int64
}

func (c *countingConn) ReadFrom(buf []byte) (int, net.Addr, error) {
	n, addr, err := c.Conn.ReadFrom(buf)
	if n >= 6 && buf[4] == 0x06 && buf[5]&0x3F == 0x12 {
		c.rakp1.Add(1)
	}
	return n, addr, err
}

// bmcClock is a settable clock for the server.
type bmcClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *bmcClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *bmcClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// waitVerification waits until machine id's stored password has a
// verification other than pending and returns the status.
func (f *fixture) waitVerification(id string) api.BMCCredentialsStatus {
	f.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var m api.Machine
		f.call("GET", "/v1/machines/"+id, adminToken, nil, 200, &m)
		if st := m.BMCCredentials; st != nil && st.Verification != "" && st.Verification != "pending" {
			return *st
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("machine %s: BMC verification still pending: %+v", id, m.BMCCredentials)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// reportBMC sends machine reg's BMC report with password sealed to key.
func (f *fixture) reportBMC(key *bmcseal.Key, reg api.RegisterResponse, password string) {
	f.t.Helper()
	box := sealed(f.t, key, api.BMCSecret{MachineID: reg.MachineID, User: "hwagent", Password: password})
	f.call("PUT", "/v1/machines/"+reg.MachineID+"/bmc-credentials", reg.Credential,
		api.BMCCredentialsReport{Status: "ok", User: "hwagent", Privilege: "administrator", Slot: 3, Channel: 1, SealedPassword: box}, 204, nil)
}

// TestBMCVerificationFollowsTheAddress: a password verified at one BMC
// address is not presented as verified once the machine reports another
// one (machines list and show, the reveal exporters and kubesync read),
// and the server checks it again at the new address at once.
func TestBMCVerificationFollowsTheAddress(t *testing.T) {
	t.Parallel()
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			const pw = "Pw0123456789abcd"
			ref := startRefBMC(t, "hwagent", pw)
			key := sealKey(t)
			inv := testinv.Machine(1)
			home := inv.BMC.LAN[0].IPv4
			f := newFixtureOn(t, kind, func(c *Config) {
				c.BMC = &BMCPolicy{User: "hwagent", Privilege: "administrator", Key: key,
					Address: func(m api.Machine) string {
						if m.BMCIP == home {
							return ref.Addr
						}
						return "127.0.0.1:9" // nothing answers
					}}
			})
			reg := f.register(inv)
			f.reportBMC(key, reg, pw)
			if st := f.waitVerification(reg.MachineID); st.Verification != bmcverify.Verified {
				t.Fatalf("at %s: %+v", home, st)
			}

			// The machine's BMC now reports another address.
			moved := testinv.Machine(1)
			moved.BMC.LAN[0].IPv4 = "10.99.77.3"
			f.call("PUT", "/v1/machines/"+reg.MachineID+"/inventory", reg.Credential, api.InventoryRequest{Inventory: moved}, 204, nil)
			var m api.Machine
			f.call("GET", "/v1/machines/"+reg.MachineID, adminToken, nil, 200, &m)
			var list api.MachineList
			f.call("GET", "/v1/machines", adminToken, nil, 200, &list)
			var creds api.BMCCredentials
			f.call("GET", "/v1/machines/"+reg.MachineID+"/bmc-credentials", adminToken, nil, 200, &creds)
			for what, v := range map[string]string{"machines show": m.BMCCredentials.Verification, "machines list": list.Machines[0].BMCCredentials.Verification, "reveal": creds.Verification} {
				if v == bmcverify.Verified {
					t.Errorf("%s: verified at %s right after the machine reported 10.99.77.3", what, m.BMCCredentials.VerifyAddress)
				}
			}
			if st := f.waitVerification(reg.MachineID); st.Verification != bmcverify.Unreachable || st.VerifyAddress != "127.0.0.1:9" {
				t.Errorf("checked again at the new address: %+v, want unreachable at 127.0.0.1:9", st)
			}
			// Back at its address: checked again, verified again.
			f.call("PUT", "/v1/machines/"+reg.MachineID+"/inventory", reg.Credential, api.InventoryRequest{Inventory: testinv.Machine(1)}, 204, nil)
			if st := f.waitVerification(reg.MachineID); st.Verification != bmcverify.Verified || st.VerifyAddress != ref.Addr {
				t.Errorf("back at %s: %+v", home, st)
			}
			var h api.History
			f.call("GET", "/v1/machines/"+reg.MachineID+"/history", adminToken, nil, 200, &h)
			var resets []string
			for _, c := range h.Changes {
				if c.Kind == api.ChangeBMCVerified && strings.HasPrefix(c.Details[0], "pending: the BMC address changed") {
					resets = append(resets, c.Details[0])
				}
			}
			if len(resets) != 2 {
				t.Errorf("history: %d verification resets %q, want 2", len(resets), resets)
			}
		})
	}
}

// TestBMCAddressConflict: a machine reporting another machine's BMC
// address never makes the server log in there (a BMC locks out a user or
// the server's address after a few failed logins): its check is recorded
// as address_conflict naming the other machine, shown and counted. And
// one address gets at most MaxFailedChecks failed logins per window.
func TestBMCAddressConflict(t *testing.T) {
	t.Parallel()
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			const pw = "Pw0123456789abcd"
			ref := startRefBMC(t, "hwagent", pw) // machine A's BMC
			key := sealKey(t)
			clk := &bmcClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
			f := newFixtureOn(t, kind, func(c *Config) {
				c.Now = clk.Now
				c.BMC = &BMCPolicy{User: "hwagent", Privilege: "administrator", Key: key,
					Address: func(m api.Machine) string { return ref.Addr }} // every address reaches A's BMC
			})
			a := f.register(testinv.Machine(1))
			f.reportBMC(key, a, pw)
			if st := f.waitVerification(a.MachineID); st.Verification != bmcverify.Verified {
				t.Fatalf("machine A: %+v", st)
			}
			before := ref.logins.Load()

			// Machine B reports A's BMC address, with a password of its own.
			liar := testinv.Machine(2)
			liar.BMC.LAN[0].IPv4 = testinv.Machine(1).BMC.LAN[0].IPv4
			b := f.register(liar)
			f.reportBMC(key, b, "Other-password-1")
			st := f.waitVerification(b.MachineID)
			if st.Verification != VerifyAddressConflict || !strings.Contains(st.VerifyError, a.MachineID) {
				t.Errorf("machine B: %+v, want address_conflict naming %s", st, a.MachineID)
			}
			f.call("POST", "/v1/machines/"+b.MachineID+"/bmc-credentials/verify", adminToken, nil, 200, &st)
			if st.Verification != VerifyAddressConflict {
				t.Errorf("machine B checked on demand: %+v", st)
			}
			if got := ref.logins.Load(); got != before {
				t.Errorf("A's BMC received %d logins for machine B", got-before)
			}
			var list api.MachineList
			f.call("GET", "/v1/machines", adminToken, nil, 200, &list)
			for _, m := range list.Machines {
				want := map[string]string{a.MachineID: bmcverify.Verified, b.MachineID: VerifyAddressConflict}[m.ID]
				if m.BMCCredentials == nil || m.BMCCredentials.Verification != want {
					t.Errorf("machines list: %s %+v, want %s", m.ID, m.BMCCredentials, want)
				}
			}
			_, _, metrics := f.do("GET", "/metrics", "", nil)
			if !strings.Contains(string(metrics), `hwagent_server_bmc_verifications_total{result="address_conflict"} 2`) {
				t.Errorf("/metrics lacks the address conflicts:\n%s", grepLines(string(metrics), "bmc_verifications"))
			}

			// Machine C's own address, with a password its BMC refuses:
			// two failed logins, then none until the window has passed.
			c := f.register(testinv.Machine(3))
			f.reportBMC(key, c, "Wrong-password-1")
			if st := f.waitVerification(c.MachineID); st.Verification != bmcverify.WrongPassword {
				t.Fatalf("machine C: %+v", st)
			}
			f.call("POST", "/v1/machines/"+c.MachineID+"/bmc-credentials/verify", adminToken, nil, 200, &st)
			if st.Verification != bmcverify.WrongPassword {
				t.Fatalf("machine C, second check: %+v", st)
			}
			spent := ref.logins.Load()
			for range 3 {
				f.call("POST", "/v1/machines/"+c.MachineID+"/bmc-credentials/verify", adminToken, nil, 200, &st)
				if st.Verification != VerifyThrottled || !strings.Contains(st.VerifyError, "2025-06-01T12:10:00Z") {
					t.Errorf("machine C, third check: %+v, want throttled until 12:10", st)
				}
			}
			if got := ref.logins.Load(); got != spent {
				t.Errorf("the BMC received %d logins once its budget was spent", got-spent)
			}
			clk.Add(10 * time.Minute)
			f.call("POST", "/v1/machines/"+c.MachineID+"/bmc-credentials/verify", adminToken, nil, 200, &st)
			if st.Verification != bmcverify.WrongPassword || ref.logins.Load() == spent {
				t.Errorf("machine C after the window: %+v", st)
			}
		})
	}
}
