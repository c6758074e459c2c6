package lab

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// InitScript describes the guest's /init: mount the pseudo filesystems,
// load modules, configure networking, wait for device nodes, run commands
// with their output marked on the serial console, power off.
type InitScript struct {
	// Modules are insmod-ed in order from /lib/modules (see
	// Initramfs.Modules and Kernel.Modules for the order).
	Modules []string
	// Net configures interfaces with static addresses.
	Net []NetConfig
	// WaitFor lists paths (device nodes) to wait for, up to WaitSeconds
	// each (default 10), before the commands run.
	WaitFor     []string
	WaitSeconds int
	// Commands run one after the other through /bin/sh. Each one's stdout
	// is printed between markers that Output finds; its stderr and exit
	// status are marked too.
	Commands []Command
}

// NetConfig is a static IPv4 configuration of one interface.
type NetConfig struct {
	// Interface is the guest's name for it ("eth0").
	Interface string
	// CIDR is the address with its prefix ("10.0.2.15/24").
	CIDR string
	// Gateway is the default route, when set.
	Gateway string
}

// Command is one shell command of the init script.
type Command struct {
	// Name finds the output with CommandOutput: letters, digits, '.',
	// '-' and '_'.
	Name string
	// Shell is the command line, run in a subshell.
	Shell string
}

const markerPrefix = "@@lab@@"

// Script renders /init.
func (s InitScript) Script() string {
	var b strings.Builder
	b.WriteString(`#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mkdir -p /proc /sys /dev /tmp /run /sbin /usr/bin /usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# Keep kernel messages off the console the markers are printed on.
echo "1 4 1 7" > /proc/sys/kernel/printk
ip link set lo up
`)
	for _, m := range s.Modules {
		fmt.Fprintf(&b, "insmod %s || echo '%s insmod %s failed'\n", ModulePath(m), markerPrefix, m)
	}
	for _, n := range s.Net {
		fmt.Fprintf(&b, "ip link set %s up\nip addr add %s dev %s\n", n.Interface, n.CIDR, n.Interface)
		if n.Gateway != "" {
			fmt.Fprintf(&b, "ip route add default via %s dev %s\n", n.Gateway, n.Interface)
		}
	}
	wait := s.WaitSeconds
	if wait <= 0 {
		wait = 10
	}
	for _, p := range s.WaitFor {
		fmt.Fprintf(&b, "i=0; while [ ! -e %[1]s ] && [ $i -lt %[2]d ]; do sleep 0.1; i=$((i+1)); done\n[ -e %[1]s ] || echo '%[3]s' %[1]s missing\n", shellQuote(p), wait*10, markerPrefix)
	}
	for _, c := range s.Commands {
		fmt.Fprintf(&b, "(%s) >/tmp/lab.out 2>/tmp/lab.err; rc=$?\n", c.Shell)
		fmt.Fprintf(&b, "echo '%[1]s begin %[2]s'; cat /tmp/lab.out; echo; echo '%[1]s end %[2]s'\n", markerPrefix, c.Name)
		fmt.Fprintf(&b, "echo '%[1]s begin %[2]s.stderr'; cat /tmp/lab.err; echo; echo '%[1]s end %[2]s.stderr'\n", markerPrefix, c.Name)
		fmt.Fprintf(&b, "echo \"%[1]s rc %[2]s $rc\"\n", markerPrefix, c.Name)
	}
	b.WriteString("poweroff -f\n")
	return b.String()
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Output is what one command of the init script printed.
type Output struct {
	Stdout, Stderr string
	// ExitCode is the command's exit status.
	ExitCode int
}

// CommandOutput finds the output of the command called name on a guest's
// console.
func CommandOutput(console, name string) (Output, error) {
	console = strings.ReplaceAll(console, "\r\n", "\n")
	var o Output
	var err error
	if o.Stdout, err = section(console, name); err != nil {
		return o, err
	}
	if o.Stderr, err = section(console, name+".stderr"); err != nil {
		return o, err
	}
	m := regexp.MustCompile(regexp.QuoteMeta(markerPrefix+" rc "+name+" ") + `(\d+)`).FindStringSubmatch(console)
	if m == nil {
		return o, fmt.Errorf("no exit status of %q on the console", name)
	}
	o.ExitCode, _ = strconv.Atoi(m[1])
	return o, nil
}

func section(console, name string) (string, error) {
	begin := markerPrefix + " begin " + name + "\n"
	end := "\n" + markerPrefix + " end " + name + "\n"
	i := strings.Index(console, begin)
	if i < 0 {
		return "", fmt.Errorf("no output of %q on the console", name)
	}
	rest := console[i+len(begin):]
	j := strings.Index(rest, end)
	if j < 0 {
		return "", fmt.Errorf("output of %q is cut short", name)
	}
	// The script prints a newline after the output so that the end marker
	// starts a line: that newline is the one end begins with.
	return rest[:j], nil
}

// Problems lists what the init script reported as failed (a module that
// did not load, a device node that did not appear).
func Problems(console string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(console, "\r\n", "\n"), "\n") {
		if rest, ok := strings.CutPrefix(l, markerPrefix+" "); ok && !strings.HasPrefix(rest, "begin ") && !strings.HasPrefix(rest, "end ") && !strings.HasPrefix(rest, "rc ") {
			out = append(out, rest)
		}
	}
	return out
}
