package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// VM is one QEMU guest: a kernel, an initramfs whose /init does the work,
// and the hardware the test wants the guest to see. It runs under software
// emulation (-accel tcg -cpu max), with no display, option ROMs off, and
// exits when the guest powers off (or panics: -no-reboot, panic=-1).
type VM struct {
	// Arch is the guest's architecture: "" or "amd64" (qemu-system-x86_64,
	// console ttyS0), or "arm64" (qemu-system-aarch64 -M virt, console
	// ttyAMA0).
	Arch string
	// CPU is QEMU's -cpu (default "max"; for arm64 also a core QEMU
	// emulates: "cortex-a72", "neoverse-n1", "a64fx").
	CPU string
	// Firmware is QEMU's -bios. arm64 guests boot the kernel directly
	// without it, and then have no SMBIOS table; with UEFI (Debian's
	// qemu-efi-aarch64, ArmUEFIFirmware) the firmware builds the SMBIOS
	// table from -smbios, as a server's does.
	Firmware string
	// Kernel and Initramfs are files on the host.
	Kernel, Initramfs string
	// Append is added to the kernel command line
	// "console=ttyS0 panic=-1 quiet".
	Append string
	// Memory in MiB (default 512) and CPUs (default 1).
	Memory, CPUs int
	// SMBIOS are -smbios arguments ("type=1,manufacturer=Acme,serial=SN1").
	SMBIOS []string
	// NICs are the guest's network interfaces, eth0 first.
	NICs []NIC
	// BMC is the guest's BMC: nil for none, *BuiltinBMC or ExternalBMC.
	BMC BMC
	// ExtraArgs are passed to QEMU last.
	ExtraArgs []string
	// Timeout bounds the run (default 3 min: a busy CI machine running
	// several guests at once slows each one down); the context can end it
	// sooner.
	Timeout time.Duration
}

// NIC is a guest network interface.
type NIC struct {
	// Model is the QEMU device ("virtio-net-pci", "e1000"; default
	// virtio-net-pci).
	Model string
	// MAC is the interface's address ("52:54:00:12:34:56"); QEMU picks one
	// when empty.
	MAC string
	// Netdev is the backend without its id ("user,restrict=on", the
	// default, or "tap,ifname=tap0,script=no,downscript=no").
	Netdev string
}

// BMC is a guest's baseboard management controller.
type BMC interface {
	qemuArgs() []string
}

// BuiltinBMC is QEMU's own simulated BMC (ipmi-bmc-sim) behind an ISA KCS
// interface at 0xCA2, which QEMU also describes in an SMBIOS type 38
// record. It answers Get Device ID (and GUID, chassis, SEL, SDR, FRU) but
// rejects Get Channel Info and every LAN parameter with C1h. Zero fields
// keep QEMU's defaults (device ID 20h, everything else 0).
type BuiltinBMC struct {
	ManufacturerID uint32
	ProductID      uint16
	DeviceID       uint8
	// FirmwareMajor and FirmwareMinor are Get Device ID bytes 3 and 4
	// (fwrev1, fwrev2); FirmwareMinor is BCD (0x10 for "x.10").
	FirmwareMajor, FirmwareMinor uint8
	// GUID answers Get Device GUID ("auto" or empty: QEMU's default).
	GUID string
}

func (b *BuiltinBMC) qemuArgs() []string {
	opts := []string{"ipmi-bmc-sim", "id=bmc0"}
	add := func(k string, v uint64) {
		if v != 0 {
			opts = append(opts, k+"="+strconv.FormatUint(v, 10))
		}
	}
	add("mfg_id", uint64(b.ManufacturerID))
	add("product_id", uint64(b.ProductID))
	add("device_id", uint64(b.DeviceID))
	add("fwrev1", uint64(b.FirmwareMajor))
	add("fwrev2", uint64(b.FirmwareMinor))
	if b.GUID != "" {
		opts = append(opts, "guid="+b.GUID)
	}
	return []string{"-device", strings.Join(opts, ","), "-device", "isa-ipmi-kcs,bmc=bmc0"}
}

// ExternalBMC connects the guest's KCS interface to an external BMC
// simulator (ipmi-bmc-extern): Addr is the host:port of the simulator's
// "codec VM" serial port, such as IPMISim.VMAddr.
type ExternalBMC struct {
	Addr string
}

func (b ExternalBMC) qemuArgs() []string {
	host, port, _ := strings.Cut(b.Addr, ":")
	return []string{
		"-chardev", fmt.Sprintf("socket,id=ipmi0,host=%s,port=%s,reconnect=10", host, port),
		"-device", "ipmi-bmc-extern,chardev=ipmi0,id=bmc0",
		"-device", "isa-ipmi-kcs,bmc=bmc0",
	}
}

// Args returns QEMU's command line, without the program name.
func (v *VM) Args() []string {
	mem, cpus := v.Memory, v.CPUs
	if mem <= 0 {
		mem = 512
	}
	if cpus <= 0 {
		cpus = 1
	}
	cpu := v.CPU
	if cpu == "" {
		cpu = "max"
	}
	// no_timer_check: under TCG on a loaded host the kernel's check that
	// the timer interrupt reaches the IO-APIC can time out, and the kernel
	// then panics ("IO-APIC + timer doesn't work"); VMs skip it.
	console := "ttyS0 no_timer_check"
	var args []string
	if v.arm64() {
		console = "ttyAMA0"
		args = append(args, "-machine", "virt")
	}
	args = append(args,
		"-accel", "tcg", "-cpu", cpu,
		"-m", strconv.Itoa(mem), "-smp", strconv.Itoa(cpus),
		"-nographic", "-no-reboot",
		"-kernel", v.Kernel, "-initrd", v.Initramfs,
		"-append", strings.TrimSpace("console="+console+" panic=-1 quiet "+v.Append),
	)
	if v.Firmware != "" {
		args = append(args, "-bios", v.Firmware)
	}
	for _, s := range v.SMBIOS {
		args = append(args, "-smbios", s)
	}
	if len(v.NICs) == 0 {
		args = append(args, "-nic", "none")
	}
	for i, n := range v.NICs {
		model, netdev := n.Model, n.Netdev
		if model == "" {
			model = "virtio-net-pci"
		}
		if netdev == "" {
			netdev = "user,restrict=on"
		}
		kind, rest, _ := strings.Cut(netdev, ",")
		nd := fmt.Sprintf("%s,id=n%d", kind, i)
		if rest != "" {
			nd += "," + rest
		}
		dev := fmt.Sprintf("%s,netdev=n%d,romfile=", model, i)
		if n.MAC != "" {
			dev += ",mac=" + n.MAC
		}
		args = append(args, "-netdev", nd, "-device", dev)
	}
	if v.BMC != nil {
		args = append(args, v.BMC.qemuArgs()...)
	}
	return append(args, v.ExtraArgs...)
}

func (v *VM) arm64() bool { return v.Arch == "arm64" }

// ArmUEFIFirmware is Debian's qemu-efi-aarch64 UEFI firmware for
// qemu-system-aarch64 -M virt (VM.Firmware).
const ArmUEFIFirmware = "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"

// ErrGuest marks a run whose guest did not power off cleanly: QEMU failed,
// the time ran out, or the kernel panicked.
var ErrGuest = errors.New("guest did not power off cleanly")

// Run boots the guest and returns its serial console output (CR LF turned
// into LF) once it powers off. On failure the error wraps ErrGuest and
// carries the end of the console and QEMU's stderr; the console output is
// returned as far as it got.
func (v *VM) Run(ctx context.Context) (string, error) {
	timeout := v.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	qemu := "qemu-system-x86_64"
	if v.arm64() {
		qemu = "qemu-system-aarch64"
	}
	cmd := exec.CommandContext(ctx, qemu, v.Args()...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	console := strings.ReplaceAll(stdout.String(), "\r\n", "\n")
	switch {
	case ctx.Err() != nil:
		err = fmt.Errorf("%w: no power-off after %s: %w", ErrGuest, time.Since(start).Round(time.Millisecond), ctx.Err())
	case err != nil:
		err = fmt.Errorf("%w: qemu: %w", ErrGuest, err)
	case strings.Contains(console, "Kernel panic"):
		err = fmt.Errorf("%w: kernel panic", ErrGuest)
	}
	if err != nil {
		return console, fmt.Errorf("%w\n--- console (end) ---\n%s\n--- qemu stderr ---\n%s", err, tail(console, 3000), tail(stderr.String(), 2000))
	}
	return console, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
