// Package tpm is hwagent's use of the machine's TPM 2.0: the endorsement
// key (EK) that identifies the TPM, and with it the machine, for as long as
// the TPM lives; an attestation key (AK); and credential activation, the
// TPM 2.0 way of proving to a server that this machine holds the EK it
// pinned.
//
// Agent side: TPM (New, HostOpener) opens /dev/tpmrm0, else /dev/tpm0,
// found through the host's paths (remapped under a container's /host/dev),
// or a Unix socket taking raw TPM commands (a software TPM: swtpm socket
// --server type=unixio). Identity reads the EK — the persistent one at
// 0x81010001 when it is the certified key, else derived from the TCG
// template — and its certificate from NV index 0x01c00002, and derives
// the attestation key; ActivateCredential answers a challenge, and
// PrepareActivation splits it (prepare, Activate, Close) so that the
// answer can go before the flushes. Every
// command is bounded by the caller's context: a TPM that hangs makes the
// call fail, never the boot. Nothing is written into the TPM.
//
// Server side, pure functions over bytes from the network:
// ParseEndorsementKey and ParseAttestationKey decode and check public
// areas (TPMT_PUBLIC), MakeCredential builds the challenge in software,
// ParseCertificate decodes an EK certificate the way they come out of
// TPMs (padding, negative serials, RSAES-OAEP keys), Fingerprint names a
// key.
//
// The TPM commands are github.com/google/go-tpm's tpm2 package.
// go-attestation was the other candidate; it persists a storage key in the
// TPM when it creates an AK (EvictControl to 0x81000001), opens Linux
// devices at fixed paths, and adds its own dependencies for a protocol
// hwagent needs three commands of.
package tpm
