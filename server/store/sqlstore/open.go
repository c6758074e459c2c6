package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// Options tune a store; zero values pick defaults.
type Options struct {
	// MaxConns bounds PostgreSQL connections (default 16) and SQLite
	// read connections (default 2×GOMAXPROCS, at least 4).
	MaxConns int
	// MaxBatch bounds how many writes share one SQLite transaction
	// (default 64).
	MaxBatch int
	// KubeOutbox makes every registration and inventory upload mark the
	// machine for applying to Kubernetes in the same transaction
	// (hwagent serve --kubeconfig; see store.KubeOutbox).
	KubeOutbox bool
	// WriteFailureWindow is how long a write that failed for a storage
	// reason (disk full, I/O error, read-only database) keeps Ready
	// failing (default DefaultWriteFailureWindow).
	WriteFailureWindow time.Duration
	// HistoryMaxEntries bounds each machine's history: a new change
	// removes the oldest past it (default DefaultHistoryMaxEntries).
	HistoryMaxEntries int
	// LastSeenEvery is how often the check-ins that changed nothing but
	// a machine's last-seen time, uptime and agent version are written
	// (default DefaultLastSeenEvery; see touch.go).
	LastSeenEvery time.Duration
}

// DefaultHistoryMaxEntries is each machine's history bound.
const DefaultHistoryMaxEntries = 1000

// Store is a store.Store on SQLite or PostgreSQL.
type Store struct {
	d      *dialect
	read   *sql.DB // SQLite: read-only pool; PostgreSQL: the pool
	write  *sql.DB // SQLite: the single writer connection; PostgreSQL: the pool
	w      writer
	ckpt   *checkpointer // SQLite only
	kube   bool          // Options.KubeOutbox
	health *health
	// historyMax is Options.HistoryMaxEntries.
	historyMax int
	// randomID draws the ID of a new machine whose derived ID is taken;
	// nil is crypto/rand (tests choose the IDs' order).
	randomID func() string
	// Version is the schema version after migrations.
	Version int
	// touches are check-ins written behind their answers (touch.go).
	touches *touches
	// news registers new machines together (PostgreSQL, register_new.go).
	news *newMachines
}

// Open opens the database that dsn names and migrates it:
//
//	sqlite:///var/lib/hwagent/hwagent.db   SQLite file (created with its directory)
//	/var/lib/hwagent/hwagent.db            the same, as a plain path
//	postgres://user@host/db?sslmode=...    PostgreSQL (also postgresql://)
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	s, err := open(ctx, dsn, opts)
	if err != nil {
		return nil, err
	}
	s.kube = opts.KubeOutbox
	s.health = &health{window: opts.WriteFailureWindow}
	if s.health.window <= 0 {
		s.health.window = DefaultWriteFailureWindow
	}
	s.w = healthWriter{writer: s.w, h: s.health}
	s.historyMax = opts.HistoryMaxEntries
	if s.historyMax <= 0 {
		s.historyMax = DefaultHistoryMaxEntries
	}
	every := opts.LastSeenEvery
	if every <= 0 {
		every = DefaultLastSeenEvery
	}
	s.startTouches(every)
	if s.d.postgres {
		s.news = startNewMachines(s)
	}
	return s, nil
}

func open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn, opts)
	case strings.HasPrefix(dsn, "sqlite:"):
		p := strings.TrimPrefix(dsn, "sqlite:")
		if strings.HasPrefix(p, "//") {
			p = p[2:]
		}
		return openSQLite(ctx, p, opts)
	case strings.Contains(dsn, "://"):
		return nil, fmt.Errorf("database %q: want sqlite:///path, a file path or postgres://", Redact(dsn))
	}
	return openSQLite(ctx, dsn, opts)
}

// Redact hides the password of a database URL for messages.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	return u.Redacted()
}

func openSQLite(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	if err := createSQLite(ctx, path); err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	// synchronous=FULL fsyncs the WAL at every commit: an acknowledged
	// write survives kill -9 (NORMAL would too) and power loss (NORMAL
	// would not). busy_timeout covers the WAL checkpoints readers wait on.
	base := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	// The writer never checkpoints (wal_autocheckpoint=0): a checkpoint
	// copies the WAL into the database and fsyncs it, which would stall
	// every write queued behind it. A checkpointer of its own does it.
	// journal_size_limit truncates the WAL file to 64 MiB when it starts over.
	// The savepoints of the group commit keep their journals in memory
	// (temp_store) and a batch of 64 inventories fits in the writer's page
	// cache (8 MiB): with the defaults, a temporary file and 2 MiB, every
	// registration cost 75 more pwrite calls, spilling pages to the WAL in
	// the middle of the transaction and journalling them for the savepoint.
	wc, err := newCachingConnector(base + "&_txlock=immediate&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)" +
		"&_pragma=temp_store(memory)&_pragma=cache_size(-8192)")
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	wdb := sql.OpenDB(wc)
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	v, err := migrate(ctx, wdb, sqliteDialect)
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	rc, err := newCachingConnector(base + "&_pragma=query_only(1)")
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	rdb := sql.OpenDB(rc)
	n := opts.MaxConns
	if n <= 0 {
		n = max(4, 2*runtime.GOMAXPROCS(0))
	}
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	batch := opts.MaxBatch
	if batch <= 0 {
		batch = 64
	}
	cdb, err := sql.Open("sqlite", base)
	if err != nil {
		wdb.Close()
		rdb.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	cdb.SetMaxOpenConns(1)
	return &Store{d: sqliteDialect, read: rdb, write: wdb, w: newBatchWriter(wdb, batch),
		ckpt: newCheckpointer(cdb, checkpointEvery), Version: v}, nil
}

// sqlitePageSize is the page size of a new SQLite database: 8 KiB, as
// PostgreSQL's. A 47 KB inventory spans 6 pages instead of 12, each a WAL
// frame written, read back and copied by the checkpointer: half the system
// calls per registration of 4 KiB pages; a check-in writes 2–3 pages
// either way. A database created with another page size keeps it.
const sqlitePageSize = 8192

// createSQLite gives a database that does not exist yet (or is empty) its
// page size, which can only be set before its first table and before WAL.
func createSQLite(ctx context.Context, path string) error {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath())
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, p := range []string{fmt.Sprintf(`PRAGMA page_size = %d`, sqlitePageSize), `PRAGMA journal_mode = WAL`} {
		if _, err := db.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("create: %s: %w", p, err)
		}
	}
	return db.Close()
}

func openPostgres(ctx context.Context, dsn string, opts Options) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", Redact(dsn), err)
	}
	n := opts.MaxConns
	if n <= 0 {
		n = 16
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres %s: %w", Redact(dsn), err)
	}
	v, err := migrate(ctx, db, postgresDialect)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres %s: %w", Redact(dsn), err)
	}
	return &Store{d: postgresDialect, read: db, write: db, w: &txWriter{db: db, retries: 8}, Version: v}, nil
}

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return unavailable(err)
	}
	var one int
	if err := s.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return unavailable(err)
	}
	return nil
}

// Close waits for queued writes and closes the database.
func (s *Store) Close() error {
	if s.news != nil {
		s.news.close()
	}
	err := s.stopTouches()
	if e := s.w.close(); err == nil {
		err = e
	}
	if s.ckpt != nil {
		s.ckpt.close()
	}
	if s.write != s.read {
		if e := s.write.Close(); err == nil {
			err = e
		}
	}
	if e := s.read.Close(); err == nil {
		err = e
	}
	return err
}
