package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// serve --pprof-listen serves Go's runtime profiles on an address of its
// own, apart from the API, which does not serve them.
func TestServePprof(t *testing.T) {
	t.Parallel()
	s := serve(t, backends[0].dsn(t), "--pprof-listen", "127.0.0.1:0")
	var addr string
	for _, line := range strings.Split(s.Logs(), "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "pprof listening" {
			addr = rec.Addr
		}
	}
	if addr == "" {
		t.Fatalf("no \"pprof listening\" line in the log:\n%s", s.Logs())
	}
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get("http://" + addr + "/debug/pprof/heap?debug=1"); status != 200 || !strings.Contains(body, "heap profile:") {
		t.Errorf("heap profile: %d %.200s", status, body)
	}
	if status, body := get("http://" + addr + "/debug/pprof/goroutine?debug=1"); status != 200 || !strings.Contains(body, "net/http.(*Server).Serve") {
		t.Errorf("goroutines: %d %.200s", status, body)
	}
	if status, _ := get(s.URL + "/debug/pprof/heap"); status != 404 {
		t.Errorf("the API address serves profiles: %d, want 404", status)
	}
}
