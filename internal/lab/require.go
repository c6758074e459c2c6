package lab

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// RequireEnv names the environment variable that turns a missing lab
// capability from a skip into a failure: a comma- or space-separated list of
// capability names, or "all". CI (.ci/run) sets it to "all"; on a developer's
// machine it is usually unset, and a test that needs something absent skips,
// saying which Debian package to install.
const RequireEnv = "HWAGENT_TEST_REQUIRE"

// Capability is something a test needs from the machine it runs on: a real
// component (QEMU, ipmi_sim, lldpd, PostgreSQL...) or a privilege (root).
// Its name is what HWAGENT_TEST_REQUIRE lists.
type Capability string

// The capabilities the lab knows. Add one here, with its check and its
// Debian packages in capabilities, rather than testing for a program in a
// test.
const (
	// Root: network namespaces, tap devices, raw packet sockets, mounts.
	Root Capability = "root"
	// NetworkNamespaces: root and iproute2's ip, for NewNetns and veth pairs.
	NetworkNamespaces Capability = "netns"
	// QEMU boots the lab's x86-64 guests under TCG: qemu-system-x86_64,
	// a static busybox, and apt-get/dpkg-deb to fetch Debian's kernel.
	QEMU Capability = "qemu"
	// QEMUArm64 boots arm64 guests: qemu-system-aarch64.
	QEMUArm64 Capability = "qemu-arm64"
	// IPMISimulator is OpenIPMI's BMC simulator and ipmitool as its reference.
	IPMISimulator Capability = "ipmi_sim"
	// LLDPDaemon is lldpd playing the top-of-rack switch, with lldpcli.
	LLDPDaemon Capability = "lldpd"
	// PostgreSQL is a PostgreSQL server a test initialises in a temporary
	// directory (initdb, pg_ctl; as root, the postgres user to run them).
	PostgreSQL Capability = "postgres"
	// Dmidecode is the reference SMBIOS decoder.
	Dmidecode Capability = "dmidecode"
	// PCIIDs is Debian's complete pci.ids database.
	PCIIDs Capability = "pci.ids"
	// KubeAPIServer is a real Kubernetes API server for custom resources: etcd and
	// apiextensions-apiserver KubeAPIServerVersion, cached in the lab cache or
	// built there now (KubeAPIServerBinary; see the shared notes KUBE.md).
	KubeAPIServer Capability = "kube"
	// SWTPM is the software TPM 2.0 QEMU attaches to a guest.
	SWTPM Capability = "swtpm"
	// TPMTools are tpm2-tools and openssl, the reference client the
	// tpm package's results are checked against on a software TPM.
	TPMTools Capability = "tpm2-tools"
	// HAProxy puts several servers behind one address.
	HAProxy Capability = "haproxy"
	// Runc runs the agent's OCI image as a container.
	Runc Capability = "runc"
	// Lshw is a peer tool the guest benchmark times.
	Lshw Capability = "lshw"
	// CPIO is GNU cpio, the reference reader of the lab's initramfs.
	CPIO Capability = "cpio"
	// Modinfo is kmod's modinfo, the reference for kernel module order.
	Modinfo Capability = "modinfo"
	// Skopeo copies images between OCI layouts, archives and registries: the
	// reference client for the image's index (and `docker pull --platform`'s
	// choice of image).
	Skopeo Capability = "skopeo"
	// Umoci unpacks an OCI image into a runtime bundle for runc.
	Umoci Capability = "umoci"
	// RsyslogD is rsyslogd, the reference syslog receiver (RFC 5424 over UDP).
	RsyslogD Capability = "rsyslog"
	// DiskTools make real partition tables, filesystems, swap, LVM
	// physical volumes and LUKS headers (sfdisk, mkfs.*, mkswap, pvcreate,
	// cryptsetup) and read them
	// back as references (blkid, lsblk).
	DiskTools Capability = "disk-tools"
	// LoopDevices: root, the loop driver (/dev/loop-control), losetup and
	// partx, and DiskTools: real disks made of image files.
	LoopDevices Capability = "loop"
	// Mdadm assembles md RAID arrays (in a guest: the lab's kernel has md).
	Mdadm Capability = "mdadm"
	// SystemdDetectVirt is the reference for virtualization detection.
	SystemdDetectVirt Capability = "systemd-detect-virt"
	// DecodeDimms is i2c-tools' decode-dimms (and perl to read its JEP106
	// table), the reference for memory manufacturer names.
	DecodeDimms Capability = "decode-dimms"
	// IronicLib is Debian's python3-ironic-lib: Ironic's own root device
	// hint matching, the reference for the export's root_device.
	IronicLib Capability = "ironic-lib"
	// Udevadm is systemd's udevadm (Debian 12: udev 252) run as root in a
	// mount namespace of its own (unshare -m): `udevadm test-builtin
	// path_id` over a sysfs tree bound on /sys is the reference for the
	// by-path names hwagent composes without udev.
	Udevadm Capability = "udevadm"
	// Sysfs is the running kernel's /sys with its modules (/sys/module):
	// tests that compare a verdict with the live kernel's own.
	Sysfs Capability = "sysfs"
	// GitCheckout: git, and a test run inside a git checkout of the
	// project (what `make image` stamps into the image).
	GitCheckout Capability = "git"
	// Long: the tests that take minutes (building the image twice, the
	// agent for two architectures) are not cut by go test -short.
	Long Capability = "long"
)

// capability says how to tell whether a capability is present and which
// Debian packages provide it.
type capability struct {
	debian string // packages to install, for the skip message
	check  func() error
}

var capabilities = map[Capability]capability{
	Root:              {"", checkRoot},
	NetworkNamespaces: {"iproute2", func() error { return errors.Join(checkRoot(), programs("ip")) }},
	QEMU:              {"qemu-system-x86 busybox-static apt dpkg", checkQEMU},
	QEMUArm64:         {"qemu-system-arm qemu-efi-aarch64, and apt's arm64 architecture (dpkg --add-architecture arm64 && apt-get update)", checkQEMUArm64},
	IPMISimulator:     {"openipmi ipmitool", func() error { return programs("ipmi_sim", "ipmitool") }},
	LLDPDaemon:        {"lldpd", func() error { return programs("lldpd", "lldpcli") }},
	PostgreSQL:        {"postgresql", checkPostgres},
	Dmidecode:         {"dmidecode", func() error { return programs("dmidecode") }},
	PCIIDs:            {"pci.ids", func() error { _, err := os.Stat(DebianPCIIDs); return err }},
	KubeAPIServer:     {"etcd-server; and go, which builds apiextensions-apiserver from the module proxy into the lab cache once", checkKube},
	SWTPM:             {"swtpm swtpm-tools", func() error { return programs("swtpm", "swtpm_setup", "swtpm_localca") }},
	TPMTools:          {"tpm2-tools openssl", func() error { return programs("tpm2_createek", "tpm2_nvread", "tpm2_makecredential", "openssl") }},
	HAProxy:           {"haproxy", func() error { return programs("haproxy") }},
	Runc:              {"runc", func() error { return programs("runc") }},
	Lshw:              {"lshw", func() error { return programs("lshw") }},
	CPIO:              {"cpio", func() error { return programs("cpio") }},
	Modinfo:           {"kmod", func() error { return programs("modinfo") }},
	RsyslogD:          {"rsyslog", func() error { return programs("rsyslogd") }},
	Skopeo:            {"skopeo", func() error { return programs("skopeo") }},
	Umoci:             {"umoci", func() error { return programs("umoci") }},
	DiskTools:         {"util-linux fdisk e2fsprogs xfsprogs dosfstools btrfs-progs lvm2 cryptsetup-bin", checkDiskTools},
	LoopDevices:       {"util-linux fdisk e2fsprogs xfsprogs dosfstools lvm2", checkLoopDevices},
	Mdadm:             {"mdadm", func() error { return programs("mdadm") }},
	SystemdDetectVirt: {"systemd", func() error { return programs("systemd-detect-virt") }},
	DecodeDimms:       {"i2c-tools perl", func() error { return programs("decode-dimms", "perl") }},
	IronicLib:         {"python3-ironic-lib", func() error { _, err := os.Stat(IronicLibUtils); return err }},
	Udevadm:           {"udev util-linux", func() error { return errors.Join(checkRoot(), programs("udevadm", "unshare", "mount")) }},
	Sysfs:             {"", func() error { _, err := os.Stat("/sys/module"); return err }},
	GitCheckout:       {"git", checkGitCheckout},
	Long:              {"", checkLong},
}

func checkGitCheckout() error {
	if err := programs("git"); err != nil {
		return err
	}
	if out, err := exec.Command("git", "rev-parse", "--show-toplevel").CombinedOutput(); err != nil {
		return fmt.Errorf("not in a git checkout: %v: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

func checkLong() error {
	if testing.Short() {
		return errors.New("go test -short cuts the long tests")
	}
	return nil
}

// IronicLibUtils is where Debian's python3-ironic-lib installs
// ironic_lib.utils (match_root_device_hints); run it with /usr/bin/python3.
const IronicLibUtils = "/usr/lib/python3/dist-packages/ironic_lib/utils.py"

func checkDiskTools() error {
	return programs("blkid", "lsblk", "sfdisk", "mkfs.ext2", "mkfs.ext3", "mkfs.ext4", "mkfs.xfs", "mkfs.btrfs", "mkfs.vfat", "mkswap", "pvcreate", "cryptsetup")
}

func checkLoopDevices() error {
	if err := errors.Join(checkRoot(), checkDiskTools(), programs("losetup", "partx", "mount", "umount")); err != nil {
		return err
	}
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		return fmt.Errorf("no loop driver: %w", err)
	}
	return nil
}

// DebianPCIIDs is where Debian's pci.ids package installs the database.
const DebianPCIIDs = "/usr/share/misc/pci.ids"

// Capabilities lists every capability name, sorted.
func Capabilities() []Capability {
	all := make([]Capability, 0, len(capabilities))
	for c := range capabilities {
		all = append(all, c)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return all
}

// Have reports whether the capability is present on this machine: nil, or
// why not.
func Have(c Capability) error {
	cp, ok := capabilities[c]
	if !ok {
		return fmt.Errorf("lab: unknown capability %q", c)
	}
	return cp.check()
}

// Need stops the test unless every capability is present: it fails when
// HWAGENT_TEST_REQUIRE names the capability (or is "all"), and skips
// otherwise, naming the Debian packages to install.
func Need(t testing.TB, caps ...Capability) {
	t.Helper()
	for _, c := range caps {
		if err := Have(c); err != nil {
			Unavailable(t, c, err)
		}
	}
}

// Unavailable stops the test for a capability found missing by trying it
// (a namespace that could not be created, a server that is not there): a
// failure when HWAGENT_TEST_REQUIRE names it, a skip otherwise.
func Unavailable(t testing.TB, c Capability, why error) {
	t.Helper()
	required, err := Required(c)
	if err != nil {
		t.Fatal(err)
	}
	msg := fmt.Sprintf("lab: needs %s: %v", c, why)
	if pkg := capabilities[c].debian; pkg != "" {
		msg += " (Debian packages: " + pkg + ")"
	}
	if required {
		t.Fatalf("%s; %s=%s makes this a failure", msg, RequireEnv, os.Getenv(RequireEnv))
	}
	t.Skipf("%s; set %s=%s to make this a failure", msg, RequireEnv, c)
}

// Required reports whether HWAGENT_TEST_REQUIRE names the capability. An
// unknown name in the variable is an error, so that a typo cannot turn
// failures back into skips.
func Required(c Capability) (bool, error) {
	names := strings.FieldsFunc(os.Getenv(RequireEnv), func(r rune) bool { return r == ',' || r == ' ' })
	required := false
	for _, n := range names {
		switch {
		case n == "all":
			required = true
		case capabilities[Capability(n)].check == nil:
			return false, fmt.Errorf("lab: %s names an unknown capability %q (known: all, %s)", RequireEnv, n, joinCaps(Capabilities()))
		case Capability(n) == c:
			required = true
		}
	}
	return required, nil
}

func joinCaps(cs []Capability) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

func checkRoot() error {
	if os.Geteuid() != 0 {
		return errors.New("not root (network namespaces, tap devices and raw sockets need root)")
	}
	return nil
}

func checkQEMU() error {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return fmt.Errorf("guests are x86-64 Linux with a Debian amd64 kernel; this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	if err := programs("qemu-system-x86_64", "apt-get", "apt-cache", "dpkg-deb"); err != nil {
		return err
	}
	_, err := busyboxPath()
	return err
}

func checkQEMUArm64() error {
	if err := programs("qemu-system-aarch64", "apt-get", "apt-cache", "dpkg-deb"); err != nil {
		return err
	}
	if _, err := os.Stat(ArmUEFIFirmware); err != nil {
		return fmt.Errorf("no UEFI firmware %s", ArmUEFIFirmware)
	}
	if err := exec.Command("apt-cache", "show", "--no-all-versions", "linux-image-arm64:arm64").Run(); err != nil {
		return errors.New("apt knows no arm64 packages")
	}
	return nil
}

func checkPostgres() error {
	if _, err := PostgresBinDir(); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		// initdb refuses to run as root.
		if _, err := user.Lookup("postgres"); err != nil {
			return fmt.Errorf("running as root and no postgres user to run initdb as: %w", err)
		}
	}
	return nil
}

// PostgresBinDir finds initdb and pg_ctl: Debian keeps them in
// /usr/lib/postgresql/<version>/bin (newest first), others on PATH.
func PostgresBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("initdb not in /usr/lib/postgresql/*/bin nor on PATH")
}

func pgVersion(binDir string) int {
	var v int
	fmt.Sscan(filepath.Base(filepath.Dir(binDir)), &v) //nolint:errcheck // 0 sorts last
	return v
}

// programs says which of the programs are not on $PATH.
func programs(names ...string) error {
	var missing []string
	for _, p := range names {
		if _, err := exec.LookPath(p); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s not installed", strings.Join(missing, ", "))
	}
	return nil
}
