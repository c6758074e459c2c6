package servertest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Postgres is a PostgreSQL cluster in a temporary directory, listening only
// on a Unix socket in that directory.
type Postgres struct {
	Dir    string // data directory and socket directory
	bin    string
	runAs  *user.User
	port   int
	nextDB atomic.Int64
}

// ErrNoPostgres says why no cluster could be started: PostgreSQL is not
// installed (the lab.PostgreSQL capability is missing). Any other error of
// StartPostgres is a PostgreSQL that is installed and failed to start.
var ErrNoPostgres = errors.New("postgres not available")

// StartPostgres initialises and starts a cluster. Durable keeps fsync on
// (benchmarks); tests turn it off for speed, which does not weaken what they
// check: the server process is what they kill, not PostgreSQL.
func StartPostgres(durable bool) (*Postgres, error) {
	if err := lab.Have(lab.PostgreSQL); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoPostgres, err)
	}
	bin, err := lab.PostgresBinDir()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoPostgres, err)
	}
	p := &Postgres{bin: bin, port: 5432}
	if os.Geteuid() == 0 {
		// initdb refuses to run as root.
		if p.runAs, err = user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("%w: running as root and no postgres user to run initdb as: %w", ErrNoPostgres, err)
		}
	}
	if p.Dir, err = os.MkdirTemp("", "hwagent-pg-"); err != nil {
		return nil, err
	}
	if err := p.chown(p.Dir); err != nil {
		p.Stop()
		return nil, err
	}
	data := filepath.Join(p.Dir, "data")
	if err := p.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-instructions", "--no-sync"); err != nil {
		p.Stop()
		return nil, err
	}
	opts := fmt.Sprintf("-k %s -p %d -c listen_addresses='' -c max_connections=300 -c shared_buffers=128MB", p.Dir, p.port)
	if !durable {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	if err := p.run("pg_ctl", "-D", data, "-l", filepath.Join(p.Dir, "log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.Dir, "log"))
		p.Stop()
		return nil, fmt.Errorf("%w\n%s", err, log)
	}
	return p, nil
}

func (p *Postgres) chown(path string) error {
	if p.runAs == nil {
		return nil
	}
	uid, _ := strconv.Atoi(p.runAs.Uid)
	gid, _ := strconv.Atoi(p.runAs.Gid)
	return os.Chown(path, uid, gid)
}

func (p *Postgres) run(tool string, args ...string) error {
	path := filepath.Join(p.bin, tool)
	var cmd *exec.Cmd
	if p.runAs != nil {
		cmd = exec.Command("runuser", append([]string{"-u", p.runAs.Username, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = p.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w\n%s", tool, err, out.Bytes())
	}
	return nil
}

// DSN is the URL of database db on the cluster.
func (p *Postgres) DSN(db string) string {
	q := url.Values{"host": {p.Dir}, "port": {strconv.Itoa(p.port)}, "sslmode": {"disable"}}
	return "postgres://postgres@/" + db + "?" + q.Encode()
}

// CreateDatabase creates a fresh database and returns its DSN.
func (p *Postgres) CreateDatabase(name string) (string, error) {
	db, err := sql.Open("pgx", p.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return p.DSN(name), nil
}

// NewDatabase creates a fresh database for one test and returns its DSN.
// When p is nil, why is StartPostgres's error: a PostgreSQL that is not
// installed stops the test as a missing lab capability (a failure when
// HWAGENT_TEST_REQUIRE names it, a skip otherwise); one that is installed
// and failed to start fails the test, always.
func (p *Postgres) NewDatabase(t testing.TB, why error) string {
	t.Helper()
	if p == nil {
		if errors.Is(why, ErrNoPostgres) {
			lab.Unavailable(t, lab.PostgreSQL, why)
		}
		t.Fatalf("PostgreSQL failed to start: %v", why)
	}
	dsn, err := p.CreateDatabase(fmt.Sprintf("t%d_%d", os.Getpid(), p.nextDB.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// Stop stops the cluster immediately and removes its directory.
func (p *Postgres) Stop() {
	if p == nil || p.Dir == "" {
		return
	}
	data := filepath.Join(p.Dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		p.run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop") //nolint:errcheck // best effort
	}
	os.RemoveAll(p.Dir)
}
