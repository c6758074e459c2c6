package agent

import (
	"context"
	"strings"
	"testing"
	"time"
)

// `--server` with several URLs: the real binary registers with whichever
// answers, here the second when it starts with the first, where nothing
// listens.
func TestCLIServerList(t *testing.T) {
	t.Parallel()
	srv := startServe(t, database(t, "sqlite"), "127.0.0.1:0")
	root := cliTree(t, "console=ttyS0 worker_id=0c:c4:7a:13:38:78\n")
	p := startAgent(t, []string{"HWAGENT_TOKEN=" + enrollToken},
		"register", "--root", root, "--server", "http://127.0.0.1:1,"+srv.URL, "--start-jitter", "0", "--register-timeout", "1m", "--backoff-base", "50ms")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if code := p.wait(t, ctx); code != 0 {
		t.Fatalf("hwagent register exited %d:\n%s", code, p.stderr.String())
	}
	id := strings.TrimSpace(p.stdout.String())
	if _, ok := srv.machine(t, id); !ok {
		t.Fatalf("printed machine %q, which the server does not know:\n%s", id, p.stderr.String())
	}
}
