package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
)

// bearer returns the request's bearer token, or "".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return ""
	}
	return strings.TrimSpace(h[len(prefix):])
}

// tokenMatches compares a presented token with the configured one in
// constant time: both are hashed first, so neither the contents nor the
// length leak through timing.
func tokenMatches(given, want string) bool {
	if want == "" || given == "" {
		return false
	}
	g, w := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// credentialPrefix marks machine credentials, so secret scanners and people
// recognise them.
const credentialPrefix = "hwm_"

// newCredential returns a fresh machine credential (32 random bytes) and the
// hash the store keeps.
func newCredential() (cred, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	cred = credentialPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return cred, credentialHash(cred), nil
}

// credentialHash is the hex SHA-256 of a credential: what the store keeps
// and looks machines up by.
func credentialHash(cred string) string {
	sum := sha256.Sum256([]byte(cred))
	return hex.EncodeToString(sum[:])
}
