//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
)

// guestModules are the kernel modules the guest loads, dependencies
// resolved by lab.Kernel.Modules: the NICs first (virtio-net becomes eth0,
// e1000 eth1), the disk, then the in-band IPMI stack.
var guestModules = []string{"virtio_pci", "virtio_net", "e1000", "virtio_blk", "ipmi_msghandler", "ipmi_devintf", "ipmi_si"}

// containerRoot is the agent's root in the guest, where LinuxKit would
// unpack the service's image.
const containerRoot = "/containers/services/hwagent/rootfs"

// hookService starts hwagent the way LinuxKit starts Hook's services: in
// its own mount namespace, with the machine seen only through the binds of
// images/linuxkit/hwagent.yml (/proc and /sys read-only, /dev), the host's
// network namespace (net: host) and its PID namespace, so that reboot(2)
// restarts the machine.
//
// Before, it creates /var/run/worker as hwagent.yml's runtime.mkdir does,
// and, when the kernel command line says e2e.workflow=ID, tink-worker's
// data directory of that workflow, as Docker creates it for a workflow's
// first action container (TestNetbootWorkflow).
const hookService = `#!/bin/sh
mkdir -p /run/worker
for p in $(cat /proc/cmdline); do
	case $p in e2e.workflow=*) mkdir -p /run/worker/${p#e2e.workflow=} ;; esac
done
exec unshare -m --propagation private /bin/hook-container "$@"
`

// hookContainer runs inside that mount namespace. It prints the guest's
// uptime and wall clock just before exec-ing hwagent: the start of the
// agent's share of boot-to-registered.
const hookContainer = `#!/bin/sh
set -e
R=` + containerRoot + `
mount -t proc proc $R/proc
mount --bind /proc $R/host/proc
mount -o remount,bind,ro $R/host/proc
mount --bind /sys $R/host/sys
mount -o remount,bind,ro $R/host/sys
mount --bind /dev $R/host/dev
mount --bind /run/worker $R/host/run/worker
mount -o remount,bind,ro $R/host/run/worker
mount -t tmpfs tmpfs $R/tmp
read up idle </proc/uptime
echo "@@e2e agent-start uptime=$up" $(adjtimex | grep time.tv_)
exec chroot $R /hwagent "$@"
`

// guestImage is the kernel and initramfs every test boots; only the
// kernel command line differs between tests.
type guestImage struct {
	Kernel, Initramfs string
	// Hwagent is the agent build the guest runs (the container image's,
	// -tags noserver); HwagentFull, with the server, runs serve and the
	// operator commands on the host side.
	Hwagent, HwagentFull string
	// InitramfsBytes is the compressed initramfs's size.
	InitramfsBytes int64
}

var (
	imageOnce sync.Once
	image     guestImage
	imageErr  error
)

// buildGuest fetches the kernel and builds hwagent and the initramfs, once
// per test binary (the kernel and hwagent are cached across runs by lab).
func buildGuest(ctx context.Context, dir string) (guestImage, error) {
	imageOnce.Do(func() { image, imageErr = buildGuestOnce(ctx, dir) })
	return image, imageErr
}

func buildGuestOnce(ctx context.Context, dir string) (guestImage, error) {
	k, err := lab.DebianKernel(ctx)
	if err != nil {
		return guestImage{}, err
	}
	bin, err := lab.Hwagent(ctx)
	if err != nil {
		return guestImage{}, err
	}
	full, err := lab.HwagentFull(ctx)
	if err != nil {
		return guestImage{}, err
	}
	mods, err := k.Modules(guestModules...)
	if err != nil {
		return guestImage{}, err
	}
	names := make([]string, len(mods))
	for i, m := range mods {
		names[i] = m.Name
	}
	m := srv01()
	r := lab.NewInitramfs()
	if err := r.Busybox(); err != nil {
		return guestImage{}, err
	}
	if err := r.Modules(mods); err != nil {
		return guestImage{}, err
	}
	if err := r.HostFile(containerRoot+"/hwagent", bin); err != nil {
		return guestImage{}, err
	}
	for _, d := range []string{"proc", "tmp", "host/proc", "host/sys", "host/dev", "host/run/worker"} {
		r.Dir(containerRoot + "/" + d)
	}
	r.File("/bin/hook-service", []byte(hookService), 0o755)
	r.File("/bin/hook-container", []byte(hookContainer), 0o755)
	r.File("/init", []byte(lab.InitScript{
		Modules: names,
		// What ip= says; the kernel does not apply it (its NIC is a
		// module), the init script does.
		Net:     []lab.NetConfig{{Interface: "eth0", CIDR: m.GuestAddr + "/" + m.PrefixLen, Gateway: m.TapAddr}},
		WaitFor: []string{"/dev/ipmi0"},
		Commands: []lab.Command{{
			Name: "agent",
			// hwagent logs to the console as it goes: the test reads the
			// console after QEMU exits, and a reboot leaves no time to
			// copy a file.
			Shell: "hostname " + m.Hostname + "; /bin/hook-service run >/dev/console 2>&1",
		}},
	}.Script()), 0o755)
	initrd := filepath.Join(dir, "initramfs.cpio.gz")
	if err := r.WriteFile(initrd); err != nil {
		return guestImage{}, err
	}
	fi, err := os.Stat(initrd)
	if err != nil {
		return guestImage{}, err
	}
	return guestImage{Kernel: k.Vmlinuz, Initramfs: initrd, Hwagent: bin, HwagentFull: full, InitramfsBytes: fi.Size()}, nil
}

// vm is the guest QEMU runs for machine m with the given kernel command
// line; its first NIC is the tap, its second an isolated user-mode
// network, its BMC the ipmi_sim at bmcAddr.
func (img guestImage) vm(m fakeServer, tap, bmcAddr, cmdline string) *lab.VM {
	return &lab.VM{
		Kernel:    img.Kernel,
		Initramfs: img.Initramfs,
		Append:    cmdline,
		Memory:    m.MemoryMiB,
		SMBIOS:    m.SMBIOS(),
		NICs: []lab.NIC{
			{Model: "virtio-net-pci", MAC: m.BootMAC, Netdev: "tap,ifname=" + tap + ",script=no,downscript=no"},
			{Model: "e1000", MAC: m.SecondMAC, Netdev: "user,restrict=on"},
		},
		BMC: lab.ExternalBMC{Addr: bmcAddr},
		ExtraArgs: []string{
			// A 32 GiB disk that reads as zeros and stores nothing.
			"-blockdev", fmt.Sprintf("driver=null-co,node-name=disk0,size=%d", m.DiskBytes),
			"-device", "virtio-blk-pci,drive=disk0,serial=" + m.DiskSerial + ",romfile=",
		},
		Timeout: 150 * time.Second,
	}
}

// agentTimes are the guest-side timestamps of one agent run, read from its
// console: the guest's uptime and wall clock just before hwagent was
// exec-ed, and hwagent's own log.
type agentTimes struct {
	// StartUptime is /proc/uptime when the agent started (10 ms steps).
	StartUptime float64
	// Start is the guest's wall clock then (adjtimex, microseconds).
	Start time.Time
	// Starting and Collected are the times of hwagent's first log line
	// ("hwagent starting": runtime up, configuration read) and of
	// "inventory collected" (every collector but LLDP done).
	Starting, Collected time.Time
	// Registered is the time of hwagent's "registered" log line: the
	// server acknowledged the registration.
	Registered time.Time
}

// Breakdown splits the agent's share: exec to first log line, collection,
// registration.
func (a agentTimes) Breakdown() string {
	ms := func(from, to time.Time) string {
		if from.IsZero() || to.IsZero() {
			return "?"
		}
		return fmt.Sprintf("%d ms", to.Sub(from).Milliseconds())
	}
	return fmt.Sprintf("exec to first log line %s, collection %s, registration request %s",
		ms(a.Start, a.Starting), ms(a.Starting, a.Collected), ms(a.Collected, a.Registered))
}

// BootToRegistered is the guest's uptime when the server acknowledged.
func (a agentTimes) BootToRegistered() time.Duration {
	return time.Duration(a.StartUptime*float64(time.Second)) + a.AgentShare()
}

// AgentShare is hwagent's process start to acknowledgement.
func (a agentTimes) AgentShare() time.Duration { return a.Registered.Sub(a.Start) }

var startRE = regexp.MustCompile(`@@e2e agent-start uptime=([0-9.]+) time\.tv_sec:\s*(\d+) time\.tv_usec:\s*(\d+)`)

// parseAgentTimes finds the start marker and the "registered" log line on
// the console.
func parseAgentTimes(console string, logs []logLine) (agentTimes, error) {
	var a agentTimes
	m := startRE.FindStringSubmatch(console)
	if m == nil {
		return a, fmt.Errorf("no agent start marker on the console")
	}
	a.StartUptime, _ = strconv.ParseFloat(m[1], 64)
	sec, _ := strconv.ParseInt(m[2], 10, 64)
	usec, _ := strconv.ParseInt(m[3], 10, 64)
	a.Start = time.Unix(sec, usec*1000)
	for _, l := range logs {
		switch {
		case l.Msg == "hwagent starting" && a.Starting.IsZero():
			a.Starting = l.Time
		case l.Msg == "inventory collected" && a.Collected.IsZero():
			a.Collected = l.Time
		case l.Msg == "registered":
			a.Registered = l.Time
			return a, nil
		}
	}
	return a, fmt.Errorf("no %q log line from the agent", "registered")
}

// logLine is one line of hwagent's JSON log.
type logLine struct {
	Time  time.Time `json:"time"`
	Level string    `json:"level"`
	Msg   string    `json:"msg"`
	// Raw is the whole line.
	Raw string `json:"-"`
}

// agentLog picks hwagent's JSON log lines out of the console.
func agentLog(console string) []logLine {
	var out []logLine
	for _, l := range strings.Split(console, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, `{"time":`) {
			continue
		}
		var ll logLine
		if err := json.Unmarshal([]byte(l), &ll); err != nil {
			continue
		}
		ll.Raw = l
		out = append(out, ll)
	}
	return out
}

// writeConsole keeps a guest's console next to the test's other files
// and returns its path, for failure messages.
func writeConsole(dir, console string) string {
	p := filepath.Join(dir, "console.txt")
	os.WriteFile(p, []byte(console), 0o644)
	return p
}
