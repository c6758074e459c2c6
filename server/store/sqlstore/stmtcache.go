package sqlstore

import (
	"container/list"
	"context"
	"database/sql/driver"

	"modernc.org/sqlite"
)

// SQLite connections keep the statements they prepared: database/sql
// prepares, runs and finalizes a statement at every Exec or Query that is
// not a prepared *sql.Stmt, and parsing the SQL of a registration's dozen
// statements took a tenth of its writes. The statements of this package
// are a fixed set (and key lists of a few lengths), so each connection
// keeps the last maxCachedStmts it ran, prepared.
const maxCachedStmts = 256

// cachingConnector opens SQLite connections that keep their statements.
type cachingConnector struct{ driver.Connector }

func newCachingConnector(dsn string) (driver.Connector, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return cachingConnector{c}, nil
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, byQuery: map[string]*list.Element{}, lru: list.New()}, nil
}

// cachingConn is a connection with its prepared statements, the least
// recently used first out. database/sql uses a connection from one
// goroutine at a time.
type cachingConn struct {
	driver.Conn
	byQuery map[string]*list.Element // of *cachedStmt
	lru     *list.List               // most recently used at the front
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	// busy: the rows of a query are still open; running it again would
	// reset them, so another statement is prepared for the meantime.
	busy bool
}

// stmt returns the prepared statement for query and whether it is cached
// (a statement not cached is the caller's to close).
func (c *cachingConn) stmt(ctx context.Context, query string) (*cachedStmt, bool, error) {
	if e, ok := c.byQuery[query]; ok {
		cs := e.Value.(*cachedStmt)
		if !cs.busy {
			c.lru.MoveToFront(e)
			return cs, true, nil
		}
		st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
		if err != nil {
			return nil, false, err
		}
		return &cachedStmt{query: query, stmt: st}, false, nil
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, false, err
	}
	cs := &cachedStmt{query: query, stmt: st}
	c.byQuery[query] = c.lru.PushFront(cs)
	for c.lru.Len() > maxCachedStmts {
		old := c.lru.Back()
		ocs := old.Value.(*cachedStmt)
		if ocs.busy {
			break
		}
		c.lru.Remove(old)
		delete(c.byQuery, ocs.query)
		ocs.stmt.Close() //nolint:errcheck // a statement no longer used
	}
	return cs, true, nil
}

// ExecContext implements driver.ExecerContext with a kept statement.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, cached, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if !cached {
		defer cs.stmt.Close()
	}
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext implements driver.QueryerContext with a kept statement,
// busy until its rows are closed.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, cached, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		if !cached {
			cs.stmt.Close() //nolint:errcheck // reporting the query's error
		}
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs, cached: cached}, nil
}

// cachedRows gives its statement back when closed.
type cachedRows struct {
	driver.Rows
	cs     *cachedStmt
	cached bool
	closed bool
}

func (r *cachedRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.Rows.Close()
	r.cs.busy = false
	if !r.cached {
		if e := r.cs.stmt.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Close closes the kept statements, then the connection.
func (c *cachingConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close() //nolint:errcheck // closing the connection
	}
	c.lru.Init()
	clear(c.byQuery)
	return c.Conn.Close()
}

// The rest of what database/sql looks for on a connection.

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cachingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }
