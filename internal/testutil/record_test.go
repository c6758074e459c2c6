package testutil_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/testutil"
)

func TestRecord(t *testing.T) {
	t.Parallel()
	after := false
	r := testutil.Record(t, func(tb testing.TB) {
		tb.Helper()
		tb.Errorf("size %d", 512)
		tb.Error("second", " error")
		tb.Fatalf("stop at %s", "/proc/cpuinfo")
		after = true
	})
	want := &testutil.Recorded{Errors: []string{"size 512", "second error"}, Fatal: "stop at /proc/cpuinfo"}
	if diff := cmp.Diff(want, r); diff != "" || after || !r.Failed() {
		t.Errorf("recorded (-want +got):\n%s\nran after Fatal: %v", diff, after)
	}
	if r := testutil.Record(t, func(tb testing.TB) { tb.FailNow() }); r.Fatal != "FailNow called" {
		t.Errorf("FailNow: %+v", r)
	}
	if r := testutil.Record(t, func(tb testing.TB) {
		if tb.Failed() {
			tb.Fatal("failed before anything")
		}
		tb.Fail()
		if !tb.Failed() {
			tb.Fatal("not failed after Fail")
		}
	}); !cmp.Equal(r, &testutil.Recorded{Errors: []string{"Fail called"}}) {
		t.Errorf("Fail: %+v", r)
	}
	if r := testutil.Record(t, func(tb testing.TB) { _ = tb.TempDir() }); r.Failed() {
		t.Errorf("a helper that reports nothing: %+v", r)
	}
}
