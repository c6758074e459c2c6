package tpm_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-tpm/tpm2"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/tpm"
	"github.com/hwagent/hwagent/tpm/tpmtest"
)

// hostWith returns a host tree whose /dev/tpmrm0 is the software TPM's
// command socket, the way the agent sees a machine through /host.
func hostWith(t *testing.T, sw *lab.SoftwareTPM, node string) *hostpaths.Paths {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "dev"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sw.Socket, filepath.Join(root, "dev", node)); err != nil {
		t.Fatal(err)
	}
	// A tree on disk is a recording; its TPM is live.
	return hostpaths.New(root, nil).WithMachine(hostpaths.Kernel())
}

// tpm2tools runs a tpm2-tools command against the software TPM: the
// reference client the package's results are checked against.
func tpm2tools(t *testing.T, sw *lab.SoftwareTPM, args ...string) []byte {
	t.Helper()
	lab.Need(t, lab.TPMTools)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "TPM2TOOLS_TCTI="+sw.TCTI())
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return out
}

// pemSHA256 is the SHA-256 of the DER inside a PEM file.
func pemSHA256(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM block", file)
	}
	s := sha256.Sum256(b.Bytes)
	return hex.EncodeToString(s[:])
}

// loadedHandles lists the transient objects and sessions the TPM holds;
// swtpm has no resource manager, so anything left is the package's.
func loadedHandles(t *testing.T, sw *lab.SoftwareTPM) []tpm2.TPMHandle {
	t.Helper()
	return tpmtest.LoadedHandles(t, tpm.HostOpener(hostWith(t, sw, "tpm0")))
}

func TestIdentityFromTemplate(t *testing.T) {
	t.Parallel()
	sw := lab.StartSWTPM(t, lab.SWTPMConfig{})
	ctx := context.Background()
	tp := tpm.New(tpm.HostOpener(hostWith(t, sw, "tpmrm0")))
	id, err := tp.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.EK.Algorithm != "rsa-2048" || id.EK.Persistent != 0 || id.EK.Certificate != nil || len(id.Warnings) > 0 {
		t.Errorf("EK %s persistent %#x certificate %v warnings %q: want rsa-2048 from the template, no certificate", id.EK.Algorithm, id.EK.Persistent, id.EK.Certificate, id.Warnings)
	}
	if id.AK.Algorithm != "ecc-nist-p256" {
		t.Errorf("AK %s, want ecc-nist-p256", id.AK.Algorithm)
	}
	if got := loadedHandles(t, sw); len(got) > 0 {
		t.Errorf("handles left loaded after Identity: %#x", got)
	}

	// tpm2-tools derives the same EK from the same template.
	dir := t.TempDir()
	tpm2tools(t, sw, "tpm2_createek", "-G", "rsa", "-c", filepath.Join(dir, "ek.ctx"), "-u", filepath.Join(dir, "ek.pem"), "-f", "pem")
	if want := pemSHA256(t, filepath.Join(dir, "ek.pem")); id.EK.SHA256 != want {
		t.Errorf("EK fingerprint %s, tpm2_createek's key %s", id.EK.SHA256, want)
	}

	// The same TPM after a restart of the agent: the same keys.
	again, err := tpm.New(tpm.HostOpener(hostWith(t, sw, "tpm0"))).Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.EK.Bytes, id.EK.Bytes) || !bytes.Equal(again.AK.Bytes, id.AK.Bytes) {
		t.Errorf("a second Identity gave other keys")
	}
}

func TestIdentityManufactured(t *testing.T) {
	t.Parallel()
	sw := lab.StartSWTPM(t, lab.SWTPMConfig{Manufacture: true})
	ctx := context.Background()
	id, err := tpm.New(tpm.HostOpener(hostWith(t, sw, "tpmrm0"))).Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.EK.Persistent != 0x81010001 || len(id.Warnings) > 0 {
		t.Errorf("EK persistent %#x, warnings %q: want 0x81010001 and none", id.EK.Persistent, id.Warnings)
	}
	if id.EK.Certificate == nil {
		t.Fatal("no EK certificate")
	}
	if got := loadedHandles(t, sw); len(got) > 0 {
		t.Errorf("handles left loaded after Identity: %#x", got)
	}

	// The reference: tpm2-tools reads the same certificate from NV, and
	// openssl names its issuer and key.
	dir := t.TempDir()
	der := filepath.Join(dir, "ek.der")
	tpm2tools(t, sw, "tpm2_nvread", "-C", "o", "-o", der, "0x01c00002")
	issuer, err := exec.Command("openssl", "x509", "-inform", "DER", "-in", der, "-noout", "-issuer", "-nameopt", "RFC2253").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSpace(strings.TrimPrefix(string(issuer), "issuer=")); id.EK.Certificate.Issuer != want {
		t.Errorf("EK certificate issuer %q, openssl says %q", id.EK.Certificate.Issuer, want)
	}
	pubPEM := filepath.Join(dir, "pub.pem")
	if out, err := exec.Command("sh", "-c", "openssl x509 -inform DER -in "+der+" -noout -pubkey > "+pubPEM).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	if want := pemSHA256(t, pubPEM); id.EK.SHA256 != want {
		t.Errorf("EK fingerprint %s, the certificate's key %s", id.EK.SHA256, want)
	}
}

// TestActivateCredential runs the whole exchange: the server's challenge
// made in software from the public areas the agent sent, answered by the
// TPM. tpm2_makecredential, the reference implementation of the server's
// half, makes a second challenge the package must answer too.
func TestActivateCredential(t *testing.T) {
	t.Parallel()
	sw := lab.StartSWTPM(t, lab.SWTPMConfig{})
	ctx := context.Background()
	tp := tpm.New(tpm.HostOpener(hostWith(t, sw, "tpm0")))
	id, err := tp.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := tpm.ParseEndorsementKey(id.EK.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	ak, err := tpm.ParseAttestationKey(id.AK.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, tpm.SecretSize)
	rand.Read(secret)
	blob, enc, err := tpm.MakeCredential(rand.Reader, ek, ak, secret)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tp.ActivateCredential(ctx, blob, enc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, secret) {
		t.Errorf("activated %x, want %x", got, secret)
	}
	if h := loadedHandles(t, sw); len(h) > 0 {
		t.Errorf("handles left loaded after ActivateCredential: %#x", h)
	}

	// tpm2_makecredential (no TPM: --tcti none) with the EK's public area
	// in TPM2B form and the AK's name.
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ekFile := write("ek.pub", tpm2.Marshal(tpm2.New2B(ek.Area)))
	secretFile := write("secret", []byte("tpm2-tools made this credential"))
	nameHex := hex.EncodeToString(ak.Name)
	out := filepath.Join(dir, "cred.out")
	lab.Need(t, lab.TPMTools)
	if o, err := exec.Command("tpm2_makecredential", "--tcti", "none", "-u", ekFile, "-s", secretFile, "-n", nameHex, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("tpm2_makecredential: %v\n%s", err, o)
	}
	blob2, enc2 := parseCredentialFile(t, out)
	got, err = tp.ActivateCredential(ctx, blob2, enc2)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "tpm2-tools made this credential" {
		t.Errorf("activated %q from tpm2_makecredential's challenge", got)
	}
}

// parseCredentialFile reads tpm2-tools' credential file: magic BADCC0DE,
// version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET.
func parseCredentialFile(t *testing.T, file string) (blob, enc []byte) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 8 || !bytes.Equal(b[:4], []byte{0xBA, 0xDC, 0xC0, 0xDE}) {
		t.Fatalf("%s: not a tpm2-tools credential file", file)
	}
	b = b[8:]
	take := func() []byte {
		if len(b) < 2 {
			t.Fatalf("%s: truncated", file)
		}
		n := int(b[0])<<8 | int(b[1])
		if len(b) < 2+n {
			t.Fatalf("%s: truncated", file)
		}
		v := b[2 : 2+n]
		b = b[2+n:]
		return v
	}
	return take(), take()
}

// TestActivateOtherTPM: a challenge made for one TPM's EK cannot be
// answered by another TPM, even with the first one's public keys.
func TestActivateOtherTPM(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	first := tpm.New(tpm.HostOpener(hostWith(t, lab.StartSWTPM(t, lab.SWTPMConfig{}), "tpmrm0")))
	other := tpm.New(tpm.HostOpener(hostWith(t, lab.StartSWTPM(t, lab.SWTPMConfig{}), "tpmrm0")))
	id1, err := first.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := other.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id1.EK.SHA256 == id2.EK.SHA256 {
		t.Fatal("two software TPMs with one EK")
	}
	// The attacker names its own AK but the challenge is to the pinned EK.
	blob, enc, err := tpm.MakeCredential(rand.Reader, &id1.EK.Public, id2.AK, []byte("only the first TPM can read this"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := other.ActivateCredential(ctx, blob, enc); err == nil {
		t.Fatalf("another TPM activated the credential: %q", got)
	}
	// The first TPM can, but only for its own AK: the credential names
	// the other's.
	if got, err := first.ActivateCredential(ctx, blob, enc); err == nil {
		t.Fatalf("the first TPM activated a credential naming another AK: %q", got)
	}
}

// BenchmarkActivateCredential is the agent's part of a challenge on a
// manufactured software TPM (persistent EK): derive the AK, start the EK
// policy session, activate, flush. swtpm's own work is in the figure.
func BenchmarkActivateCredential(b *testing.B) {
	sw := lab.StartSWTPM(b, lab.SWTPMConfig{Manufacture: true})
	root := b.TempDir()
	os.MkdirAll(filepath.Join(root, "dev"), 0o755)
	if err := os.Symlink(sw.Socket, filepath.Join(root, "dev", "tpmrm0")); err != nil {
		b.Fatal(err)
	}
	tp := tpm.New(tpm.HostOpener(hostpaths.New(root, nil).WithMachine(hostpaths.Kernel())))
	ctx := context.Background()
	id, err := tp.Identity(ctx)
	if err != nil {
		b.Fatal(err)
	}
	secret := make([]byte, tpm.SecretSize)
	blob, enc, err := tpm.MakeCredential(rand.Reader, &id.EK.Public, id.AK, secret)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tp.ActivateCredential(ctx, blob, enc); err != nil {
			b.Fatal(err)
		}
	}
}
