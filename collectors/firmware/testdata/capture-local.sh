#!/bin/sh
# Captures the files the firmware collector reads from the machine this
# runs on into testdata/local/NAME (default: vm-virtio). The build VM boots
# without UEFI and without a TPM: only sys/firmware/acpi/pm_profile is
# captured, so that sys/firmware exists and has no efi directory.
set -eu
dst=$(pwd)/testdata/local/${1:-vm-virtio}
rm -rf "$dst"
cd /
for f in sys/firmware/acpi/pm_profile sys/firmware/efi/fw_platform_size \
	sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c \
	sys/firmware/efi/efivars/SetupMode-8be4df61-93ca-11d2-aa0d-00e098032b8c \
	sys/class/tpm/tpm0/tpm_version_major sys/class/tpm/tpm0/caps; do
	if [ -e "/$f" ]; then
		mkdir -p "$dst/$(dirname "$f")"
		cat "/$f" >"$dst/$f"
	fi
done
