// Package lab boots throwaway QEMU guests for hwagent's integration tests:
// a "bare-metal server" with the SMBIOS tables, NICs and BMC a test chooses,
// running hwagent from an initramfs. It is test support; the agent never
// uses it, and it shells out freely (apt-get, dpkg-deb, go build, qemu,
// ipmi_sim, ipmitool).
//
// The pieces, each usable alone:
//
//   - DebianKernel downloads Debian's current linux-image-*-amd64 with
//     apt-get download, unpacks it with dpkg-deb into CacheDir
//     ($HWAGENT_LAB_CACHE, $XDG_CACHE_HOME/hwagent-lab or
//     ~/.cache/hwagent-lab) once, and reuses it across runs.
//     Kernel.Modules resolves module names and their dependencies (from
//     each .ko's .modinfo) into load order.
//   - Hwagent builds ./cmd/hwagent static (CGO_ENABLED=0, -trimpath,
//     -ldflags "-s -w") once per test binary.
//   - Initramfs builds a gzip-compressed newc cpio in memory: Busybox adds
//     the host's busybox-static, Modules the kernel modules, File and
//     HostFile anything else (the hwagent binary, the /init script).
//   - InitScript renders a /init: mount proc, sysfs, devtmpfs, insmod the
//     modules, configure interfaces, wait for device nodes, run commands
//     printing their output between markers on ttyS0, poweroff -f.
//     CommandOutput finds a command's stdout, stderr and exit status on the
//     console, Problems what went wrong before.
//   - VM runs qemu-system-x86_64 -accel tcg -cpu max -nographic -no-reboot
//     with -smbios records, NICs (option ROMs off), and a BMC: BuiltinBMC
//     (QEMU's ipmi-bmc-sim) or ExternalBMC (ipmi-bmc-extern to an
//     ipmi_sim). Run returns the console once the guest powers off, killing
//     QEMU when the context or the VM's Timeout ends.
//   - StartIPMISim starts OpenIPMI's ipmi_sim with a generated lan.conf,
//     sim.emu and lan_config_program holding fixed test values, on free
//     local ports, stopped by t.Cleanup. TestBMC is the reference BMC
//     ("BMC 10.0.0.42 (static) 52:54:00:be:ef:01 VLAN 20 — Supermicro fw
//     3.10" once SetVLAN(TestBMCVLAN) ran).
//   - NewNetns, Netns.AddTap and Netns.LockThread put a guest's NIC on a tap
//     in a network namespace of its own (root only), and StartLLDPD runs
//     lldpd there as the top-of-rack switch; processes a locked thread
//     starts (ipmi_sim, QEMU) run in that namespace too.
//   - StartSWTPM starts Debian's swtpm as a TPM 2.0: on a Unix socket taking
//     raw TPM commands (put it at a host tree's dev/tpmrm0), or, ForQEMU,
//     behind QEMUArgs' tpm-tis device; Manufacture runs swtpm_setup first
//     (persistent EK, EK certificate from a local CA cached in CacheDir);
//     the same StateDir is the same TPM across boots.
//
// Need(t, capabilities...) is how a test says what it needs from the machine
// (QEMU, IPMISimulator, LLDPDaemon, PostgreSQL, NetworkNamespaces, Root...):
// when one is missing the test skips, naming the Debian packages to install,
// unless HWAGENT_TEST_REQUIRE names the capability (or is "all", as in CI),
// in which case it fails. Unavailable does the same for a capability found
// missing by trying it. No test skips on its own for a missing component.
//
// A boot takes 6-8 s under TCG on two cores and about 265 MB of memory for
// -m 512. Build the initramfs once per test and run independent VMs in
// parallel tests; the first run of a machine also spends ~20 s fetching
// and unpacking the kernel.
//
// A typical test:
//
//	lab.Need(t, lab.QEMU)
//	k, err := lab.DebianKernel(ctx)
//	bin, err := lab.Hwagent(ctx)
//	mods, err := k.Modules("ipmi_devintf", "ipmi_si")
//	r := lab.NewInitramfs()
//	r.Busybox(); r.Modules(mods); r.HostFile("/bin/hwagent", bin)
//	r.File("/init", []byte(lab.InitScript{
//		Modules:  names(mods),
//		WaitFor:  []string{"/dev/ipmi0"},
//		Commands: []lab.Command{{Name: "dump", Shell: "hwagent dump -o json"}},
//	}.Script()), 0o755)
//	r.WriteFile(initrd)
//	vm := lab.VM{Kernel: k.Vmlinuz, Initramfs: initrd, BMC: &lab.BuiltinBMC{ManufacturerID: 10876}}
//	console, err := vm.Run(ctx)
//	out, err := lab.CommandOutput(console, "dump")
package lab
