// Package tpm collects the TPM 2.0's endorsement key: the key that names
// the TPM, and with it the machine, for as long as the TPM lives. It
// fills inventory.Firmware.TPM.EndorsementKey (algorithm, fingerprint,
// where it was found, the certificate's issuer); the agent sends the same
// keys with its registration as TPM evidence and answers the server's
// challenge with them (docs/protocol.md, "TPM-bound identity").
//
// Outcomes:
//   - no /dev/tpmrm0 or /dev/tpm0 and no /sys/class/tpm/tpm0: not
//     applicable ("no TPM");
//   - the kernel shows a TPM but the agent sees no device node (the
//     container does not bind the host's /dev): failed, saying so;
//   - a TPM 1.2: not applicable (hwagent reads TPM 2.0 keys only);
//   - a recorded host (hwagent snapshot), or a device node that is a
//     plain file: failed, the TPM was not asked;
//   - the TPM fails or does not answer within the collector's deadline:
//     failed with the TPM's error; the machine still registers, without
//     TPM evidence;
//   - an unreadable EK certificate, or one certifying another key:
//     partial, the key reported and the certificate left out.
//
// The device is opened through the host's Machine (hostpaths.Machine.OpenTPM)
// only while the collector runs, and nothing is written into the TPM
// (package tpm).
package tpm
