package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointer copies SQLite's WAL back into the database file in the
// background, on a connection of its own. PASSIVE checkpoints never wait
// for the writer or the readers, so writes are not stalled; once the WAL is
// fully copied the next write starts it over from the beginning, which
// bounds its size.
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

// checkpoint runs one checkpoint. Errors are not fatal: the next tick
// tries again, and SQLite stays correct with a long WAL.
func (c *checkpointer) checkpoint(mode string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var busy, logFrames, done int
	c.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&busy, &logFrames, &done) //nolint:errcheck // see above
}

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
