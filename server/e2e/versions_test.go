package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/server/api"
	protocol "github.com/hwagent/hwagent/server/client"
	"github.com/hwagent/hwagent/server/servertest"
	"github.com/hwagent/hwagent/server/testinv"
)

// newerRefusal is how a replica older than the database's schema refuses
// to start.
const newerRefusal = "is newer than this hwagent's"

// Replicas of two versions start together on one PostgreSQL: the newer one
// (this source with one migration more, build tag hwagent_nextschema)
// migrates, once, under the advisory lock; the older one either works
// beside it (it found the schema at its own version: migrations are
// additive) or refuses to start, saying the database is newer. Nothing is
// lost or half migrated, and older replicas already running keep
// answering while the newer one migrates (a rolling upgrade).
func TestReplicasOfTwoVersions(t *testing.T) {
	t.Parallel()
	newer, err := servertest.BuildTags(t.TempDir(), "hwagent-next", "hwagent_nextschema")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("started together", func(t *testing.T) {
		t.Parallel()
		outcomes := map[string]int{}
		for round := range 3 {
			dsn := pg.NewDatabase(t, pgErr)
			var wg sync.WaitGroup
			var oldS, newS *servertest.Serve
			var oldErr, newErr error
			wg.Add(2)
			go func() {
				defer wg.Done()
				oldS, oldErr = servertest.StartServe(bin, servertest.ServeOptions{Database: dsn, EnrollToken: enrollToken, AdminToken: adminToken})
			}()
			go func() {
				defer wg.Done()
				newS, newErr = servertest.StartServe(newer, servertest.ServeOptions{Database: dsn, EnrollToken: enrollToken, AdminToken: adminToken})
			}()
			wg.Wait()
			if newErr != nil {
				t.Fatalf("round %d: the newer replica: %v", round, newErr)
			}
			v := schemaVersion(t, newS)
			checkSchema(t, dsn, v)
			if oldErr != nil {
				outcomes["older refused"]++
				if !strings.Contains(oldErr.Error(), fmt.Sprintf("database schema version %d %s (%d): upgrade hwagent", v, newerRefusal, v-1)) {
					t.Errorf("round %d: the older replica failed without saying the database is newer: %v", round, oldErr)
				}
			} else {
				outcomes["older started"]++
				if got := schemaVersion(t, oldS); got != v-1 {
					t.Errorf("round %d: the older replica runs schema %d, want %d", round, got, v-1)
				}
				crossCheck(t, oldS, newS, 300000+round*10)
				if err := oldS.Stop(); err != nil {
					t.Errorf("round %d: older replica: %v", round, err)
				}
			}
			crossCheck(t, newS, newS, 300005+round*10)
			if err := newS.Stop(); err != nil {
				t.Errorf("round %d: newer replica: %v", round, err)
			}
		}
		t.Logf("outcomes over 3 rounds: %v", outcomes)
	})
	t.Run("rolling upgrade", func(t *testing.T) {
		t.Parallel()
		dsn := pg.NewDatabase(t, pgErr)
		olds := startReplicas(t, dsn, 2)
		v := schemaVersion(t, olds.serve[0])
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		clients := make([]*protocol.Client, 2)
		for i := range clients {
			var err error
			if clients[i], err = protocol.New(protocol.Options{Server: olds.serve[i].URL, EnrollmentToken: secret.Value(enrollToken), AdminToken: secret.Value(adminToken)}); err != nil {
				t.Fatal(err)
			}
		}
		// Traffic on the older replicas throughout: registrations and
		// check-ins alternate between them; every one must succeed.
		var machines []protocol.Machine
		for i := range 20 {
			r, err := clients[i%2].Register(ctx, testinv.Machine(310000+i))
			if err != nil {
				t.Fatal(err)
			}
			machines = append(machines, protocol.Machine{ID: r.MachineID, Credential: secret.Value(r.Credential)})
		}
		stop := make(chan struct{})
		var served, failed atomic.Int64
		var registered []string
		var mu sync.Mutex
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					c := clients[(w+n)%2]
					var err error
					if n%5 == 0 {
						var r *api.RegisterResponse
						if r, err = c.Register(ctx, testinv.Machine(320000+w*10000+n)); err == nil {
							mu.Lock()
							registered = append(registered, r.MachineID)
							mu.Unlock()
						}
					} else {
						_, err = c.Checkin(ctx, machines[(w*7+n)%len(machines)], api.CheckinRequest{State: api.StateRegistered, AcksActions: true})
					}
					if err != nil {
						failed.Add(1)
						t.Errorf("an older replica failed a request during the upgrade: %v", err)
						continue
					}
					served.Add(1)
				}
			}()
		}
		time.Sleep(300 * time.Millisecond)
		before := served.Load()
		newS, err := servertest.StartServe(newer, servertest.ServeOptions{Database: dsn, EnrollToken: enrollToken, AdminToken: adminToken})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { newS.Stop() })
		duringMigration := served.Load() - before
		time.Sleep(300 * time.Millisecond)
		close(stop)
		wg.Wait()
		t.Logf("the older replicas answered %d requests (%d while the newer one started and migrated), %d failed", served.Load(), duringMigration, failed.Load())
		if got := schemaVersion(t, newS); got != v+1 {
			t.Fatalf("the newer replica runs schema %d, want %d", got, v+1)
		}
		checkSchema(t, dsn, v+1)
		// What the older replicas registered, during the migration too,
		// the newer one has.
		nc, _ := protocol.New(protocol.Options{Server: newS.URL, AdminToken: secret.Value(adminToken)})
		for _, id := range registered {
			if _, err := nc.Get(ctx, id); err != nil {
				t.Errorf("machine %s registered by an older replica: %v", id, err)
			}
		}
		// An older replica that restarts now refuses, and says why.
		olds.kill(0)
		_, err = servertest.StartServe(bin, servertest.ServeOptions{Database: dsn, EnrollToken: enrollToken, AdminToken: adminToken})
		if err == nil || !strings.Contains(err.Error(), newerRefusal) || !strings.Contains(err.Error(), "upgrade hwagent") {
			t.Errorf("an older replica started on the upgraded database: %v", err)
		}
	})
}

// crossCheck registers machine i through a and reads it through b, with
// a check-in through b.
func crossCheck(t *testing.T, a, b *servertest.Serve, i int) {
	t.Helper()
	var r api.RegisterResponse
	must(t, a, "POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: testinv.Machine(i)}, 200, &r)
	var m api.Machine
	must(t, b, "GET", fmt.Sprintf(api.PathMachineFmt, r.MachineID), adminToken, nil, 200, &m)
	var c api.CheckinResponse
	must(t, b, "POST", fmt.Sprintf(api.PathCheckinFmt, r.MachineID), r.Credential, api.CheckinRequest{State: api.StateRegistered}, 200, &c)
}

// schemaVersion is the schema version a replica logged at start.
func schemaVersion(t *testing.T, s *servertest.Serve) int {
	t.Helper()
	for _, line := range strings.Split(s.Logs(), "\n") {
		var rec struct {
			Msg     string `json:"msg"`
			Version int    `json:"schema_version"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "database ready" {
			return rec.Version
		}
	}
	t.Fatalf("no \"database ready\" line in the log:\n%s", s.Logs())
	return 0
}

// checkSchema checks that versions 1 to v (the newer version's) are
// recorded once each, and that the newer version's migration (a column)
// is there.
func checkSchema(t *testing.T, dsn string, v int) {
	t.Helper()
	checkMigrationsOnce(t, dsn)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, top int
	if err := db.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &top); err != nil {
		t.Fatal(err)
	}
	if n != v || top != v {
		t.Errorf("schema_migrations holds %d versions up to %d, want 1 to %d", n, top, v)
	}
	var unknown int
	if err := db.QueryRow(`SELECT count(*) FROM machines WHERE rack = ''`).Scan(&unknown); err != nil {
		t.Errorf("the newer version's column: %v", err)
	}
}
