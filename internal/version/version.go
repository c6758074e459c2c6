// Package version holds the build's version, stamped at link time:
//
//	go build -ldflags "-X github.com/hwagent/hwagent/internal/version.Version=$(git describe --tags --always --dirty)"
package version

import "runtime/debug"

// Version is set by the linker; otherwise it comes from the module's build
// information, or "dev".
var Version = ""

// String returns the version.
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
