// Package bmcseal seals BMC passwords to the provisioning server's key:
// the agent seals the password it generated with the server's public key
// (a NaCl anonymous box: X25519, XSalsa20-Poly1305, from
// golang.org/x/crypto/nacl/box), and only the holder of the private key
// (`hwagent serve --bmc-seal-key FILE`) opens it. Proxies, logs and
// database dumps see ciphertext; the server keeps the box as it arrived,
// so the password is encrypted at rest under the same key.
//
// The key file is PEM ("HWAGENT BMC SEAL KEY", 32 bytes of X25519 private
// key), written with mode 0600 by WriteKeyFile (`hwagent bmc seal-key`);
// LoadKeyFile refuses one that others may read.
package bmcseal
