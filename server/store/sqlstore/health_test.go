package sqlstore

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/hwagent/hwagent/server/testinv"
)

// Ready answers at once while writes commit, even with the writer busy:
// under a burst its probe write queued behind the registrations and a
// load balancer's health check (haproxy: as long as the check interval)
// timed out, taking a replica that was serving well out of service.
func TestReadyWhileBusy(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, _ := b.open(t)
			ctx := context.Background()
			register(t, s, testinv.Machine(80), hash(80), 0) // a write committed

			// The writer is busy with a write that takes as long as the test says.
			release, started := make(chan struct{}), make(chan struct{})
			busy := make(chan error, 1)
			go func() {
				busy <- s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
					close(started)
					<-release
					return nil
				})
			}()
			<-started
			readyCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			ready := make(chan error, 1)
			go func() { ready <- s.Ready(readyCtx) }()
			select {
			case err := <-ready:
				if err != nil {
					t.Errorf("Ready with a write committed just now and the writer busy: %v", err)
				}
			case <-time.After(2 * time.Second):
				t.Errorf("Ready with a write committed just now and the writer busy: no answer within 2 s")
			}
			close(release)
			if err := <-busy; err != nil {
				t.Fatal(err)
			}
		})
	}
}
