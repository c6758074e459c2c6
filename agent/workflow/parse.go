package workflow

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// ParseStat reads a process's name (comm) and parent PID from
// /proc/PID/stat: "PID (COMM) STATE PPID ...". COMM may hold spaces and
// parentheses, so it ends at the last ')'.
func ParseStat(b []byte) (comm string, ppid int, err error) {
	open := bytes.IndexByte(b, '(')
	close := bytes.LastIndexByte(b, ')')
	if open < 0 || close < open {
		return "", 0, errors.New("stat: no (comm)")
	}
	comm = string(b[open+1 : close])
	f := strings.Fields(string(b[close+1:]))
	if len(f) < 2 {
		return "", 0, errors.New("stat: no ppid")
	}
	ppid, err = strconv.Atoi(f[1])
	if err != nil {
		return "", 0, errors.New("stat: bad ppid")
	}
	return comm, ppid, nil
}

// IsShim reports whether comm is a containerd shim's: the kernel keeps 15
// bytes of the name, so containerd-shim-runc-v2 is "containerd-shim".
func IsShim(comm string) bool { return strings.HasPrefix(comm, "containerd-shim") }

// shimArgs are a containerd shim's arguments.
type shimArgs struct {
	Namespace, ID, Address string
}

// ParseShimArgs reads -namespace, -id and -address from a shim's
// /proc/PID/cmdline (NUL-separated), as containerd starts every runc v2
// shim: "containerd-shim-runc-v2 -namespace moby -id ID -address SOCK".
func ParseShimArgs(cmdline []byte) (shimArgs, bool) {
	args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	var a shimArgs
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") {
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				break
			}
			value = args[i+1]
		}
		switch name {
		case "namespace":
			a.Namespace = value
		case "id":
			a.ID = value
		case "address":
			a.Address = value
		default:
			continue
		}
		if !hasValue {
			i++
		}
	}
	return a, a.Namespace != "" && a.ID != ""
}
