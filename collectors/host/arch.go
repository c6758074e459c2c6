package host

// goArch maps the kernel's machine name (uname -m, /proc/sys/kernel/arch)
// to GOARCH, the vocabulary the inventory uses.
var goArch = map[string]string{
	"x86_64":      "amd64",
	"i386":        "386",
	"i486":        "386",
	"i586":        "386",
	"i686":        "386",
	"aarch64":     "arm64",
	"aarch64_be":  "arm64be",
	"armv6l":      "arm",
	"armv7l":      "arm",
	"armv8l":      "arm",
	"ppc64le":     "ppc64le",
	"ppc64":       "ppc64",
	"s390x":       "s390x",
	"riscv64":     "riscv64",
	"mips64":      "mips64",
	"loongarch64": "loong64",
}

// GOARCH returns the GOARCH name of a kernel machine name; a machine name
// without one is returned as is.
func GOARCH(machine string) string {
	if a, ok := goArch[machine]; ok {
		return a
	}
	return machine
}
