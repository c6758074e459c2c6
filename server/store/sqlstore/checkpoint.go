package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointer copies SQLite's WAL back into the database file in the
// background, on a connection of its own, every 100 ms. PASSIVE checkpoints
// never wait for the writer or the readers, so writes are not stalled. A
// WAL starts over only when a write begins after a complete checkpoint,
// which a busy writer never leaves time for: the writer finishes the
// checkpoint itself every 250 ms between two batches (finishCheckpoint).
// A short WAL matters: readers search it for every page they read, and
// they wait while a long checkpoint holds its locks.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func newCheckpointer(db *sql.DB, every time.Duration) *checkpointer {
	c := &checkpointer{db: db, stop: make(chan struct{})}
	c.wg.Add(1)
	go c.loop(every)
	return c
}

func (c *checkpointer) loop(every time.Duration) {
	defer c.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.checkpoint("PASSIVE")
		}
	}
}

// checkpoint runs one checkpoint.
func (c *checkpointer) checkpoint(mode string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	checkpoint(ctx, c.db, mode)
}

// checkpoint runs PRAGMA wal_checkpoint(mode) on db. Errors are not fatal:
// the next one tries again, and SQLite stays correct with a long WAL.
func checkpoint(ctx context.Context, db *sql.DB, mode string) {
	var busy, logFrames, done int
	db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&busy, &logFrames, &done) //nolint:errcheck // see above
}

// finishCheckpoint is the writer's own PASSIVE checkpoint between batches:
// the background checkpointer has usually copied most of the WAL already,
// and with no write in progress this one completes, so that the next
// transaction restarts the WAL instead of growing it.
func finishCheckpoint(ctx context.Context, db *sql.DB) { checkpoint(ctx, db, "PASSIVE") }

// close stops the loop, checkpoints what is left (TRUNCATE also empties
// the WAL file when no reader is left) and closes the connection.
func (c *checkpointer) close() {
	c.once.Do(func() {
		close(c.stop)
		c.wg.Wait()
		c.checkpoint("TRUNCATE")
		c.db.Close()
	})
}
