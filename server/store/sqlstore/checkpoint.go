package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointEvery is how often the checkpointer runs. Every second rather
// than every 100 ms (until 2026-12-06): a page written again and again
// (the tables' and indexes' inner pages) is copied once a second instead
// of ten times: a burst of 10,000 registrations took 5.4-6.2 s and
// 7.5-8.8 s of server CPU, against 5.7-6.3 s and 7.8-8.6 s (bench/load,
// six alternated pairs); the WAL grows as much during the burst, and the
// check-in p99 stayed 1.1 ms.
const checkpointEvery = time.Second

// checkpointer copies SQLite's WAL back into the database file in the
// background, on a connection of its own, every checkpointEvery. PASSIVE checkpoints
// never wait for the writer or the readers, and the writer never runs one
// (wal_autocheckpoint=0): a checkpoint ends with an fsync of the database
// file, which on a busy disk takes up to seconds, and every write queued
// behind a writer-run checkpoint would wait that long. Small, frequent
// checkpoints keep the WAL short: SQLite starts it over when a write begins
// after a complete checkpoint, and journal_size_limit then truncates the
// file. A short WAL matters: readers search it for every page they read,
// and a long checkpoint makes them wait.
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
