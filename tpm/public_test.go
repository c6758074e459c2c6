package tpm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-tpm/tpm2"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/tpm"
)

// TestParsePublic checks the server's view of what an agent sends: the
// public areas a real (software) TPM produced pass, and every way they
// can be bent is refused.
func TestParsePublic(t *testing.T) {
	t.Parallel()
	sw := lab.StartSWTPM(t, lab.SWTPMConfig{})
	id, err := tpm.New(tpm.HostOpener(hostWith(t, sw, "tpmrm0"))).Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ek, ak := id.EK.Bytes, id.AK.Bytes
	if _, err := tpm.ParseEndorsementKey(ek); err != nil {
		t.Errorf("the TPM's EK: %v", err)
	}
	if _, err := tpm.ParseAttestationKey(ak); err != nil {
		t.Errorf("the TPM's AK: %v", err)
	}
	area, err := tpm2.Unmarshal[tpm2.TPMTPublic](ak)
	if err != nil {
		t.Fatal(err)
	}
	exportable := *area
	exportable.ObjectAttributes.FixedTPM = false
	unrestricted := *area
	unrestricted.ObjectAttributes.Restricted = false
	sha1 := *area
	sha1.NameAlg = tpm2.TPMAlgSHA1

	for _, tc := range []struct {
		name  string
		parse func([]byte) (*tpm.Public, error)
		in    []byte
		err   string
	}{
		{"EK as AK", tpm.ParseAttestationKey, ek, "want fixedTPM, fixedParent, sensitiveDataOrigin, restricted, sign and not decrypt"},
		{"AK as EK", tpm.ParseEndorsementKey, ak, "want fixedTPM, fixedParent, restricted, decrypt and not sign"},
		{"trailing byte", tpm.ParseEndorsementKey, append(append([]byte(nil), ek...), 0), "not one canonical TPMT_PUBLIC"},
		{"truncated", tpm.ParseEndorsementKey, ek[:len(ek)-1], "public area"},
		{"empty", tpm.ParseAttestationKey, nil, "empty"},
		{"too large", tpm.ParseAttestationKey, make([]byte, tpm.MaxPublicSize+1), "more than 1024"},
		{"exportable AK", tpm.ParseAttestationKey, tpm2.Marshal(exportable), "attributes [fixedParent sensitiveDataOrigin restricted sign]"},
		{"unrestricted AK", tpm.ParseAttestationKey, tpm2.Marshal(unrestricted), "attributes [fixedTPM fixedParent sensitiveDataOrigin sign]"},
		{"SHA-1 names", tpm.ParseAttestationKey, tpm2.Marshal(sha1), "name algorithm 0x4"},
		{"RSA template without key", tpm.ParseEndorsementKey, tpm2.Marshal(tpm2.RSAEKTemplate), "RSA key of 0 bits"},
		{"ECC template without key", tpm.ParseEndorsementKey, tpm2.Marshal(tpm2.ECCEKTemplate), "public area"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.parse(tc.in); err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %v, want %q", err, tc.err)
			}
		})
	}
}

func FuzzParsePublic(f *testing.F) {
	for _, tmpl := range []tpm2.TPMTPublic{tpm2.RSAEKTemplate, tpm2.ECCEKTemplate, tpm2.ECCSRKTemplate, tpm2.RSASRKTemplate} {
		f.Add(tpm2.Marshal(tmpl))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := tpm.ParsePublic(b)
		if err != nil {
			return
		}
		if p.Key == nil || len(p.Name) < 2 || len(p.SHA256) != 64 || p.Algorithm == "" {
			t.Fatalf("parsed %+v", p)
		}
		// The name computed over the bytes is go-tpm's over the area.
		if name, err := tpm2.ObjectName(&p.Area); err != nil || string(name.Buffer) != string(p.Name) {
			t.Fatalf("name %x, go-tpm's %x (%v)", p.Name, name.Buffer, err)
		}
		tpm.ParseEndorsementKey(b)
		tpm.ParseAttestationKey(b)
	})
}
