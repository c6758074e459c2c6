// Package tpmverify is the TPM half of `hwagent serve --reenroll tpm`: a
// reenroll.Verifier that pins a machine's TPM endorsement key on its first
// registration and, on every later one, challenges the agent with TPM2
// MakeCredential against that key, naming the attestation key the agent
// created in the same TPM. Only the TPM holding the endorsement key can
// answer (TPM2_ActivateCredential); a registration that cannot is refused
// (403) and recorded in the machine's history. The exchange costs the
// agent one more registration request.
//
// A challenge is stored (store.TPMChallenge: the secret's hash, never the
// secret) so that whichever replica receives the answer can check it; it
// expires after TTL and is answered at most once. While it is outstanding,
// registrations with the same machine and keys are sent it again, so that
// registrations carrying the machine's public keys cannot push the genuine
// agent's challenge out; those for other attestation keys than the pinned
// one (PinAK) are bounded apart.
package tpmverify
