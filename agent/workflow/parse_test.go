package workflow

import (
	"os"
	"strconv"
	"testing"
)

func TestParseStat(t *testing.T) {
	t.Parallel()
	// This test process's own line, read from the kernel.
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	comm, ppid, err := ParseStat(self)
	if err != nil || ppid != os.Getppid() || comm == "" {
		t.Errorf("own stat: %q, %d, %v; want ppid %d", comm, ppid, err, os.Getppid())
	}
	for _, tc := range []struct {
		line, comm string
		ppid       int
		bad        bool
	}{
		{"4711 (containerd-shim) S 1 4711 388 0 -1 1077936384 1093 0 0 0 2 5 0 0 20 0 11 0 1425 741359616 2370 18446744073709551615", "containerd-shim", 1, false},
		{"4790 (tink-worker) S 4711 4790 4790 0 -1 1077936384 3012 0 3 0 11 7 0 0 20 0 9 0 1431 735346688 4209", "tink-worker", 4711, false},
		{"12 (a) (b) R 7 12", "a) (b", 7, false},
		{"12 (x S", "", 0, true},
		{"12 (x) S", "", 0, true},
		{"12 (x) S y", "", 0, true},
	} {
		comm, ppid, err := ParseStat([]byte(tc.line))
		if (err != nil) != tc.bad || comm != tc.comm || ppid != tc.ppid {
			t.Errorf("ParseStat(%q) = %q, %d, %v", tc.line, comm, ppid, err)
		}
	}
}

func TestParseShimArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cmdline string
		want    shimArgs
		ok      bool
	}{
		{"/usr/bin/containerd-shim-runc-v2\x00-namespace\x00moby\x00-id\x00" + "3f2a9c0e1d7b4a61c29b0d8e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6\x00-address\x00/var/run/docker/containerd/containerd.sock\x00",
			shimArgs{"moby", "3f2a9c0e1d7b4a61c29b0d8e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6", "/var/run/docker/containerd/containerd.sock"}, true},
		{"/usr/bin/containerd-shim-runc-v2\x00-namespace\x00tinkerbell\x00-id\x00stream-disk\x00-address\x00/run/containerd/containerd.sock\x00-debug\x00",
			shimArgs{"tinkerbell", "stream-disk", "/run/containerd/containerd.sock"}, true},
		{"containerd-shim\x00--namespace=services.linuxkit\x00--id=hook-docker\x00--address=/run/containerd/containerd.sock",
			shimArgs{"services.linuxkit", "hook-docker", "/run/containerd/containerd.sock"}, true},
		{"containerd-shim-runc-v2\x00-namespace\x00moby\x00-id", shimArgs{Namespace: "moby"}, false},
		{"", shimArgs{}, false},
	} {
		got, ok := ParseShimArgs([]byte(tc.cmdline))
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseShimArgs(%s) = %+v, %v; want %+v, %v", strconv.Quote(tc.cmdline), got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("4711 (containerd-shim) S 1 4711"))
	f.Add([]byte("1 ((())) R 0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		comm, ppid, err := ParseStat(b)
		if err == nil && (ppid < -1<<62 || len(comm) > len(b)) {
			t.Fatalf("%q, %d", comm, ppid)
		}
	})
}

func FuzzParseShimArgs(f *testing.F) {
	f.Add([]byte("containerd-shim-runc-v2\x00-namespace\x00moby\x00-id\x00x\x00-address\x00/s"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, ok := ParseShimArgs(b)
		if ok && (a.Namespace == "" || a.ID == "") {
			t.Fatalf("%+v", a)
		}
	})
}
