package inventory

// Firmware describes how the machine booted.
type Firmware struct {
	// BootMode is "uefi" when /sys/firmware/efi exists, else "bios".
	BootMode string `json:"boot_mode"`
	// EFIBitness is 32 or 64 (/sys/firmware/efi/fw_platform_size), UEFI only.
	EFIBitness int `json:"efi_bitness,omitempty"`
	// SecureBoot is the SecureBoot EFI variable; nil when not readable.
	SecureBoot *bool `json:"secure_boot,omitempty"`
	// SetupMode is the SetupMode EFI variable; nil when not readable.
	SetupMode *bool `json:"setup_mode,omitempty"`
	// TPM is nil when no TPM is visible.
	TPM *TPM `json:"tpm,omitempty"`
}

// TPM is a trusted platform module from /sys/class/tpm.
type TPM struct {
	// Device is the kernel name ("tpm0"); empty when only the SMBIOS table
	// lists the TPM (no kernel driver bound).
	Device string `json:"device"`
	// Version is "2.0" or "1.2".
	Version string `json:"version,omitempty"`
	// Manufacturer from SMBIOS type 43 or the TPM's own identification.
	Manufacturer string `json:"manufacturer,omitempty"`
	// FirmwareVersion from SMBIOS type 43, when given.
	FirmwareVersion string `json:"firmware_version,omitempty"`
}
