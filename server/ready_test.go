package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/testinv"
)

// smallDisk mounts a tmpfs of size bytes at a temporary directory: a real
// file system that fills up.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	lab.Need(t, lab.Root)
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Fatalf("mount a tmpfs at %s: %v", dir, err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) }) //nolint:errcheck // best effort
	return dir
}

// fill writes a file until the file system is full.
func fill(t *testing.T, name string) {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", name, err)
			}
			return
		}
	}
}

// pgOnSmallDisk creates a database whose tables live in a tablespace on a
// small tmpfs (PostgreSQL's own WAL stays on its disk): its writes fail
// with disk_full once the tmpfs is full.
func pgOnSmallDisk(t *testing.T, dir string) string {
	t.Helper()
	openStore(t, "postgres") // starts the cluster
	// PostgreSQL runs as its own user: it must reach the directory.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	space := filepath.Join(dir, "pg")
	if err := os.Mkdir(space, 0o700); err != nil {
		t.Fatal(err)
	}
	if u, err := user.Lookup("postgres"); err == nil && os.Geteuid() == 0 {
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(space, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	admin, err := sql.Open("pgx", pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("full_%d", time.Now().UnixNano())
	for _, q := range []string{
		`CREATE TABLESPACE ` + name + ` LOCATION '` + space + `'`,
		`CREATE DATABASE ` + name + ` TABLESPACE ` + name,
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return pg.DSN(name)
}

// Issue 11 row 9: with every write failing (disk full), /readyz answered
// 200, and the load balancer kept sending agents to a server that could
// store nothing. It is 503 while writes fail, and 200 again once they
// succeed.
func TestReadyWhileWritesFail(t *testing.T) {
	t.Parallel()
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dir := smallDisk(t, "16m")
			dsn := filepath.Join(dir, "hwagent.db")
			if kind == "postgres" {
				dsn = pgOnSmallDisk(t, dir)
			}
			readyWhileWritesFail(t, dir, dsn)
		})
	}
}

func readyWhileWritesFail(t *testing.T, dir, dsn string) {
	st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{WriteFailureWindow: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := newFixtureWith(t, st, nil)
	f.register(testinv.Machine(1))
	f.call("GET", "/readyz", "", nil, 200, nil)

	fill(t, filepath.Join(dir, "filler"))
	status := 200
	for i := 2; i < 500 && status == 200; i++ {
		status, _, _ = f.do("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: testinv.Machine(i)})
	}
	if status != 503 {
		t.Fatalf("registration on a full disk: %d, want 503 (the database is unavailable, retry)", status)
	}
	e := f.call("GET", "/readyz", "", nil, 503, nil)
	if e.Code != api.CodeUnavailable {
		t.Errorf("/readyz on a full disk: %+v", e)
	}

	if err := os.Remove(filepath.Join(dir, "filler")); err != nil {
		t.Fatal(err)
	}
	f.register(testinv.Machine(1000))
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, _, body := f.do("GET", "/readyz", "", nil)
		if status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz after the disk was freed: %d %s", status, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
