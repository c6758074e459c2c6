package firmware

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

// collect runs the collector on the host tree at root; a partial result's
// warnings come apart from other errors.
func collect(t testing.TB, root string) (*inventory.Firmware, []string, error) {
	t.Helper()
	inv, err := collectortest.Collect(t, New(), root, collector.Config{})
	if warnings := collectortest.Warnings(err); warnings != nil {
		return inv.Firmware, warnings, nil
	}
	return inv.Firmware, nil, err
}

func ptr(b bool) *bool { return &b }

const (
	secureBoot = "sys/firmware/efi/efivars/SecureBoot-" + GlobalVariableGUID
	setupMode  = "sys/firmware/efi/efivars/SetupMode-" + GlobalVariableGUID
	// efivarfs content of a boolean variable: attributes
	// BOOTSERVICE_ACCESS|RUNTIME_ACCESS (06 00 00 00), then the value, the
	// layout of testdata/qemu/ovmf-setupmode-swtpm2's real variables.
	efiOn  = "\x06\x00\x00\x00\x01"
	efiOff = "\x06\x00\x00\x00\x00"
	// A firmware TPM 2.0 as the ACPI tpm_crb driver registers it.
	tpmLink = "->../../devices/platform/MSFT0101:00/tpm/tpm0"
	tpmDir  = "sys/devices/platform/MSFT0101:00/tpm/tpm0/"
)

func TestCollect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		files    map[string]string
		want     inventory.Firmware
		warnings []string
	}{
		{
			name:  "legacy bios, no tpm",
			files: map[string]string{"sys/firmware/acpi/pm_profile": "0\n"},
			want:  inventory.Firmware{BootMode: "bios"},
		},
		{
			name: "uefi 64, secure boot on, tpm 2.0",
			files: map[string]string{
				"sys/firmware/efi/fw_platform_size": "64\n",
				secureBoot:                          efiOn,
				setupMode:                           efiOff,
				"sys/class/tpm/tpm0":                tpmLink,
				tpmDir + "tpm_version_major":        "2\n",
			},
			want: inventory.Firmware{BootMode: "uefi", EFIBitness: 64, SecureBoot: ptr(true), SetupMode: ptr(false),
				TPM: &inventory.TPM{Device: "tpm0", Version: "2.0"}},
		},
		{
			name: "uefi, efivarfs not mounted: secure boot unknown",
			files: map[string]string{
				"sys/firmware/efi/fw_platform_size": "64\n",
				"sys/firmware/efi/efivars/.keep":    "",
			},
			want: inventory.Firmware{BootMode: "uefi", EFIBitness: 64},
		},
		{
			name: "old kernel: sysfs efivars interface, tpm 1.2 caps under device",
			files: map[string]string{
				"sys/firmware/efi/vars/SecureBoot-" + GlobalVariableGUID + "/data": "\x00",
				"sys/firmware/efi/vars/SetupMode-" + GlobalVariableGUID + "/data":  "\x01",
				"sys/class/tpm/tpm0/device/caps":                                   "Manufacturer: 0x49465800\nTCG version: 1.2\nFirmware version: 3.17\n",
			},
			want: inventory.Firmware{BootMode: "uefi", SecureBoot: ptr(false), SetupMode: ptr(true),
				TPM: &inventory.TPM{Device: "tpm0", Version: "1.2", Manufacturer: "IFX", FirmwareVersion: "3.17"}},
		},
		{
			name: "corrupt variables are warnings",
			files: map[string]string{
				secureBoot: "\x06\x00",
				setupMode:  "\x06\x00\x00\x00\x02",
			},
			want: inventory.Firmware{BootMode: "uefi"},
			warnings: []string{
				"/" + secureBoot + ": bad EFI variable: 2 bytes, want at least 4 attribute bytes",
				"/" + setupMode + ": bad EFI variable: boolean value 0x2",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			testutil.WriteTree(t, root, tt.files)
			got, warnings, err := collect(t, root)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("firmware (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warnings, warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCollectNoSysfs(t *testing.T) {
	t.Parallel()
	if _, _, err := collect(t, t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error = %v, want ErrNotExist", err)
	}
}

// TestCollectFixtures runs against captured machines: the build VM (legacy
// boot, no TPM) and a QEMU guest booted by OVMF with Secure Boot support in
// Setup Mode and a swtpm TPM 2.0 (testdata/qemu/capture.sh); its efivars
// read 06 00 00 00 00 (SecureBoot) and 06 00 00 00 01 (SetupMode).
func TestCollectFixtures(t *testing.T) {
	t.Parallel()
	tests := map[string]*inventory.Firmware{
		"local/vm-virtio": {BootMode: "bios"},
		"qemu/ovmf-setupmode-swtpm2": {BootMode: "uefi", EFIBitness: 64, SecureBoot: ptr(false), SetupMode: ptr(true),
			TPM: &inventory.TPM{Device: "tpm0", Version: "2.0"}},
	}
	for fx, want := range tests {
		t.Run(fx, func(t *testing.T) {
			t.Parallel()
			got, warnings, err := collect(t, filepath.Join("testdata", fx))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("firmware (-want +got):\n%s", diff)
			}
			golden(t, fx, got, warnings)
		})
	}
}

// golden compares the section and the warnings with
// testdata/golden/<fixture>.json; -update rewrites it.
func golden(t *testing.T, fixture string, fw *inventory.Firmware, warnings []string) {
	t.Helper()
	testutil.GoldenJSON(t, testutil.GoldenPath(fixture), struct {
		Firmware *inventory.Firmware `json:"firmware"`
		Warnings []string            `json:"warnings,omitempty"`
	}{fw, warnings}, *testutil.Update)
}

func BenchmarkCollect(b *testing.B) {
	root := b.TempDir()
	testutil.WriteTree(b, root, map[string]string{
		"sys/firmware/efi/fw_platform_size": "64\n",
		secureBoot:                          efiOn,
		setupMode:                           efiOff,
		"sys/class/tpm/tpm0":                tpmLink,
		tpmDir + "tpm_version_major":        "2\n",
	})
	collectortest.Benchmark(b, New(), root, collector.Config{})
}
