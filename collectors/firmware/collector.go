package firmware

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// New returns the firmware collector.
func New() collector.Collector { return firmwareCollector{} }

type firmwareCollector struct{}

func (firmwareCollector) Name() string { return "firmware" }

// Collect fills inventory.Firmware. It fails only when the host has no
// /sys/firmware at all (sysfs not mounted where expected), since the boot
// mode would then be a guess.
func (firmwareCollector) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	p := env.Paths
	var w collector.Warnings
	if _, err := p.Stat(p.Sys("firmware")); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("stat %s: %w", p.HostPath(p.Sys("firmware")), err)
	}
	fw := &inventory.Firmware{BootMode: "bios"}
	if fi, err := p.Stat(p.Sys("firmware", "efi")); err == nil && fi.IsDir() {
		fw.BootMode = "uefi"
		name := p.Sys("firmware", "efi", "fw_platform_size")
		if n, err := p.ReadUint(name); err == nil && (n == 32 || n == 64) {
			fw.EFIBitness = int(n)
		} else if err != nil && !hostpaths.Ignorable(err) {
			w.Addf("read %s: %v", p.HostPath(name), err)
		}
		fw.SecureBoot = efiBool(p, "SecureBoot", &w)
		fw.SetupMode = efiBool(p, "SetupMode", &w)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fw.TPM = kernelTPM(p, &w)
	fw.TPM = joinSMBIOSTPM(env, fw.TPM, &w)
	return func(inv *inventory.Inventory) { inv.Firmware = fw }, w.Err()
}

// efiBool reads a boolean EFI global variable from efivarfs, or from the
// sysfs efivars interface older kernels offer (vars/NAME-GUID/data, the
// value without attributes). nil when neither has it.
func efiBool(p *hostpaths.Paths, name string, w *collector.Warnings) *bool {
	// Reading a variable calls the firmware's runtime services, which
	// buggy firmware can leave hanging: each read is bounded on its own.
	p = p.Bounded()
	file := p.Sys("firmware", "efi", "efivars", name+"-"+GlobalVariableGUID)
	data, err := p.ReadFile(file)
	var value []byte
	switch {
	case err == nil:
		if _, value, err = DecodeEFIVariable(data); err != nil {
			w.Addf("%s: %v", p.HostPath(file), err)
			return nil
		}
	case hostpaths.Ignorable(err):
		file = p.Sys("firmware", "efi", "vars", name+"-"+GlobalVariableGUID, "data")
		if value, err = p.ReadFile(file); err != nil {
			if !hostpaths.Ignorable(err) {
				w.Addf("read %s: %v", p.HostPath(file), err)
			}
			return nil
		}
	default:
		w.Addf("read %s: %v", p.HostPath(file), err)
		return nil
	}
	on, err := DecodeEFIBool(value)
	if err != nil {
		w.Addf("%s: %v", p.HostPath(file), err)
		return nil
	}
	return &on
}

// kernelTPM describes /sys/class/tpm/tpm0, or nil without one.
func kernelTPM(p *hostpaths.Paths, w *collector.Warnings) *inventory.TPM {
	dir := p.Sys("class", "tpm", "tpm0")
	if _, err := p.Stat(dir); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.Addf("stat %s: %v", p.HostPath(dir), err)
		}
		return nil
	}
	tpm := &inventory.TPM{Device: "tpm0"}
	// tpm_version_major appeared in Linux 5.6 ("1" or "2").
	versionFile := p.Sys("class", "tpm", "tpm0", "tpm_version_major")
	major, err := p.ReadUint(versionFile)
	switch {
	case err == nil && major == 2:
		tpm.Version = "2.0"
	case err == nil && major == 1:
		tpm.Version = "1.2"
	case err == nil:
		tpm.Version = strconv.FormatUint(major, 10)
	case !hostpaths.Ignorable(err):
		w.Addf("read %s: %v", p.HostPath(versionFile), err)
	}
	// TPM 1.2 chips also describe themselves in caps (under device/ before
	// Linux 4.x moved the attributes to the class device).
	for _, name := range []string{p.Sys("class", "tpm", "tpm0", "caps"), p.Sys("class", "tpm", "tpm0", "device", "caps")} {
		data, err := p.ReadFile(name)
		if err != nil {
			if !hostpaths.Ignorable(err) {
				w.Addf("read %s: %v", p.HostPath(name), err)
			}
			continue
		}
		caps, err := ParseTPMCaps(data)
		if err != nil {
			w.Addf("%s: %v", p.HostPath(name), err)
			break
		}
		if tpm.Version == "" {
			tpm.Version = caps.Version
		}
		tpm.Manufacturer, tpm.FirmwareVersion = caps.Manufacturer, caps.FirmwareVersion
		break
	}
	return tpm
}

// joinSMBIOSTPM completes the kernel's TPM with the SMBIOS type 43 record:
// manufacturer and firmware version, which a TPM 2.0's sysfs does not show.
// A TPM the firmware lists but the kernel has no driver for is reported
// from SMBIOS alone, without a device name.
func joinSMBIOSTPM(env *collector.Env, tpm *inventory.TPM, w *collector.Warnings) *inventory.TPM {
	t, err := env.SMBIOS()
	if err != nil {
		if !errors.Is(err, collector.ErrNotApplicable) {
			w.Add(err)
		}
		return tpm
	}
	if p := t.Problem(); p != nil {
		w.Add(p) // the type 43 structure may be missing
	}
	fromTable, err := t.TPM()
	if err != nil {
		w.Addf("smbios tpm: %v", err)
		return tpm
	}
	if fromTable == nil {
		return tpm
	}
	if tpm == nil {
		return fromTable
	}
	if tpm.Manufacturer == "" {
		tpm.Manufacturer = fromTable.Manufacturer
	}
	if tpm.FirmwareVersion == "" {
		tpm.FirmwareVersion = fromTable.FirmwareVersion
	}
	if tpm.Version == "" {
		tpm.Version = fromTable.Version
	}
	return tpm
}
