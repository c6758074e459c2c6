package bmcseal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"
)

// pemType is the PEM block type of a key file.
const pemType = "HWAGENT BMC SEAL KEY"

// MaxSealed bounds a sealed message (base64) the server accepts: a BMC
// secret is a few hundred bytes.
const MaxSealed = 4096

// Key is the server's seal key pair.
type Key struct {
	public, private [32]byte
}

// GenerateKey makes a new key pair.
func GenerateKey() (*Key, error) {
	pub, priv, err := box.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate seal key: %w", err)
	}
	return &Key{public: *pub, private: *priv}, nil
}

func fromPrivate(priv []byte) (*Key, error) {
	if len(priv) != 32 {
		return nil, fmt.Errorf("seal key: %d bytes, want 32", len(priv))
	}
	k := &Key{}
	copy(k.private[:], priv)
	pub, err := curve25519.X25519(k.private[:], curve25519.Basepoint)
	if err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	copy(k.public[:], pub)
	return k, nil
}

// Public is the public key as the protocol carries it: standard base64
// of 32 bytes.
func (k *Key) Public() string { return base64.StdEncoding.EncodeToString(k.public[:]) }

// WriteKeyFile writes a new key to path with mode 0600, refusing to
// overwrite an existing file.
func WriteKeyFile(path string) (*Key, error) {
	k, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write seal key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: pemType, Bytes: k.private[:]}); err != nil {
		f.Close()
		return nil, fmt.Errorf("write seal key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write seal key %s: %w", path, err)
	}
	return k, nil
}

// LoadKeyFile reads a key file. It refuses a file group or others may
// read or write: whoever reads it reads every stored BMC password.
func LoadKeyFile(path string) (*Key, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("seal key %s: mode %04o lets others read it: chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("seal key %s: %w", path, fs.ErrInvalid)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != pemType {
		return nil, fmt.Errorf("seal key %s: no %q PEM block (make one with hwagent bmc seal-key)", path, pemType)
	}
	k, err := fromPrivate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// ErrSealed is an invalid sealed message or public key.
var ErrSealed = errors.New("invalid sealed message")

// ParsePublicKey decodes a public key as the protocol carries it
// (standard base64 of 32 bytes).
func ParsePublicKey(publicKey string) ([32]byte, error) {
	var k [32]byte
	pub, err := base64.StdEncoding.DecodeString(publicKey)
	if err != nil || len(pub) != 32 {
		return k, fmt.Errorf("%w: seal key is not 32 bytes of base64", ErrSealed)
	}
	copy(k[:], pub)
	return k, nil
}

// SameKey reports whether a and b are one valid public key, however
// they are spelt.
func SameKey(a, b string) bool {
	ka, errA := ParsePublicKey(a)
	kb, errB := ParsePublicKey(b)
	return errA == nil && errB == nil && ka == kb
}

// Seal seals message to the public key (standard base64 of 32 bytes) and
// returns the box in standard base64.
func Seal(publicKey string, message []byte) (string, error) {
	rcpt, err := ParsePublicKey(publicKey)
	if err != nil {
		return "", err
	}
	out, err := box.SealAnonymous(nil, message, &rcpt, rand.Reader)
	if err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	return base64.StdEncoding.EncodeToString(out), nil
}

// Open opens a box Seal made for this key.
func (k *Key) Open(sealed string) ([]byte, error) {
	if len(sealed) > MaxSealed {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrSealed, len(sealed), MaxSealed)
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, fmt.Errorf("%w: not standard base64", ErrSealed)
	}
	msg, ok := box.OpenAnonymous(nil, raw, &k.public, &k.private)
	if !ok {
		return nil, fmt.Errorf("%w: it does not open with this server's seal key", ErrSealed)
	}
	return msg, nil
}
