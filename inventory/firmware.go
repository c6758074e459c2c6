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
	// EndorsementKey is the TPM 2.0's endorsement key as the tpm collector
	// read it through /dev/tpmrm0 (or /dev/tpm0); nil when it was not
	// read (no TPM 2.0, the collector disabled or failed: see its status).
	EndorsementKey *TPMEndorsementKey `json:"endorsement_key,omitempty"`
}

// TPMEndorsementKey identifies a TPM, and so the machine it is soldered
// to, for as long as the TPM lives: the key is derived from a seed its
// manufacturer put in it. The server pins it (docs/protocol.md, "TPM").
type TPMEndorsementKey struct {
	// Algorithm is the key's type: "rsa-2048" (the TCG template every TPM
	// 2.0 has) or "ecc-nist-p256" for a TPM without RSA.
	Algorithm string `json:"algorithm"`
	// PublicKeySHA256 is the hex SHA-256 of the key's DER
	// SubjectPublicKeyInfo, what `tpm2_createek -f pem` then
	// `openssl pkey -pubin -outform DER | sha256sum` prints.
	PublicKeySHA256 string `json:"public_key_sha256"`
	// Persistent is the persistent handle the key was read from
	// ("0x81010001"); empty when the TPM derived it from the template.
	Persistent string `json:"persistent,omitempty"`
	// CertificateIssuer is the issuer (RFC 2253) of the EK certificate the
	// manufacturer stored in NV memory (index 0x01c00002 for RSA); empty
	// without one (firmware TPMs such as Intel PTT publish it online).
	CertificateIssuer string `json:"certificate_issuer,omitempty"`
	// CertificateSerial is that certificate's serial number in hex.
	CertificateSerial string `json:"certificate_serial,omitempty"`
}
