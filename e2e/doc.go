// Package e2e is hwagent's netboot end-to-end test: it boots a fake
// bare-metal server from scratch under QEMU (software emulation) and
// watches it register with `hwagent serve`, the way a machine netboots into
// Tinkerbell's Hook.
//
// The tests are behind the build tag e2e and need root, qemu-system-x86,
// busybox-static, openipmi, lldpd, swtpm and swtpm-tools (TestNetbootTPM)
// and apt (for the Debian kernel):
//
//	make e2e   # go test -tags e2e -count=1 -v ./e2e/
//
// What a run builds:
//
//   - a network namespace holding a tap device for the guest's first NIC,
//     lldpd playing the top-of-rack switch on it, `hwagent serve` (SQLite)
//     listening on the tap's address, and OpenIPMI's ipmi_sim as the BMC;
//   - a guest with SMBIOS tables, two NICs with fixed MACs (virtio-net on
//     the tap, e1000 on an isolated user-mode network), a disk and the BMC,
//     booting Debian's kernel with an initramfs of busybox, hwagent and the
//     modules it needs;
//   - in the guest, hwagent run the way Hook runs it: in its own mount
//     namespace and root, seeing the machine only through /host/proc,
//     /host/sys and /host/dev, configured from the kernel command line
//     (hwagent.server=, hwagent.token=...).
//
// The tests then check what the server holds through the operator CLI
// (`hwagent machines`), export hardware.csv from it, send the machine a
// reboot and watch QEMU exit. docs/e2e.md describes the run and its
// figures. Everything downloaded or built (kernel, hwagent) is cached by
// internal/lab.
package e2e
