package bmcseal_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/bmcseal"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "seal.key")
	k, err := bmcseal.WriteKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", fi.Mode(), err)
	}
	if _, err := bmcseal.WriteKeyFile(path); err == nil {
		t.Error("WriteKeyFile overwrote an existing key")
	}
	loaded, err := bmcseal.LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Public() != k.Public() {
		t.Fatalf("public key %s after loading, want %s", loaded.Public(), k.Public())
	}
	secret := []byte(`{"password":"Zq7-not-real-pw1"}`)
	box, err := bmcseal.Seal(k.Public(), secret)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(box, "Zq7") {
		t.Fatal("the box shows the password")
	}
	again, _ := bmcseal.Seal(k.Public(), secret)
	if again == box {
		t.Error("two seals of one message are equal: no ephemeral key")
	}
	got, err := loaded.Open(box)
	if err != nil || string(got) != string(secret) {
		t.Fatalf("open: %q %v", got, err)
	}
	other, _ := bmcseal.GenerateKey()
	if _, err := other.Open(box); !errors.Is(err, bmcseal.ErrSealed) {
		t.Errorf("another key opened the box: %v", err)
	}
	tampered := []byte(box)
	tampered[len(tampered)/2] ^= 1
	if tampered[len(tampered)/2] == '=' {
		tampered[len(tampered)/2] = 'A'
	}
	if _, err := loaded.Open(string(tampered)); !errors.Is(err, bmcseal.ErrSealed) {
		t.Errorf("a tampered box opened: %v", err)
	}
	for _, bad := range []string{"", "not base64!", strings.Repeat("A", bmcseal.MaxSealed+4)} {
		if _, err := loaded.Open(bad); !errors.Is(err, bmcseal.ErrSealed) {
			t.Errorf("Open(%.20q): %v", bad, err)
		}
	}
	if _, err := bmcseal.Seal("c2hvcnQ=", secret); !errors.Is(err, bmcseal.ErrSealed) {
		t.Errorf("short public key: %v", err)
	}
}

func TestLoadKeyFileRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "seal.key")
	if _, err := bmcseal.WriteKeyFile(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := bmcseal.LoadKeyFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("group-readable key: %v", err)
	}
	junk := filepath.Join(dir, "junk.key")
	os.WriteFile(junk, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600)
	if _, err := bmcseal.LoadKeyFile(junk); err == nil || !strings.Contains(err.Error(), "HWAGENT BMC SEAL KEY") {
		t.Errorf("wrong PEM type: %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	k, err := bmcseal.GenerateKey()
	if err != nil {
		f.Fatal(err)
	}
	box, _ := bmcseal.Seal(k.Public(), []byte("seed"))
	f.Add(box)
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		msg, err := k.Open(s)
		if err != nil && !errors.Is(err, bmcseal.ErrSealed) {
			t.Fatal(err)
		}
		if err == nil && s != box && string(msg) != "seed" {
			t.Fatalf("forged box opened: %q", msg)
		}
	})
}
