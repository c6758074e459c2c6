package lab

import (
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// Require skips the test unless every named program is on $PATH, naming
// the ones missing and the Debian packages that provide them.
func Require(t testing.TB, programs ...string) {
	t.Helper()
	var missing []string
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			missing = append(missing, p+debianPackage(p))
		}
	}
	if len(missing) > 0 {
		t.Skipf("lab: %s not installed", strings.Join(missing, ", "))
	}
}

// RequireQEMU skips the test unless QEMU can boot the lab's x86-64 guests:
// an amd64 host with qemu-system-x86_64, busybox (static), and apt-get,
// apt-cache and dpkg-deb to fetch the Debian kernel.
func RequireQEMU(t testing.TB) {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("lab: guests are x86-64 Linux with a Debian amd64 kernel; this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	Require(t, "qemu-system-x86_64", "apt-get", "apt-cache", "dpkg-deb")
	if _, err := busyboxPath(); err != nil {
		t.Skipf("lab: %v", err)
	}
}

func debianPackage(program string) string {
	pkg := map[string]string{
		"qemu-system-x86_64": "qemu-system-x86",
		"ipmi_sim":           "openipmi",
		"ipmitool":           "ipmitool",
		"dpkg-deb":           "dpkg",
		"apt-get":            "apt",
		"apt-cache":          "apt",
		"busybox":            "busybox-static",
		"lldpd":              "lldpd",
		"lldpcli":            "lldpd",
		"ip":                 "iproute2",
	}[program]
	if pkg == "" {
		return ""
	}
	return " (Debian package " + pkg + ")"
}
