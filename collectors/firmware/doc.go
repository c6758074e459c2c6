// Package firmware collects how the machine booted: UEFI or legacy BIOS
// (/sys/firmware/efi), the UEFI firmware's bitness, the SecureBoot and
// SetupMode EFI variables (efivarfs, or the older sysfs efivars interface)
// and the TPM the kernel sees in /sys/class/tpm, completed with the SMBIOS
// type 43 record when the table has one.
//
// DecodeEFIVariable, DecodeEFIBool and ParseTPMCaps are pure decoders.
package firmware
