package tpm

import (
	"errors"
	"fmt"

	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// ekProfile is one endorsement key of the TCG EK Credential Profile for
// TPM 2.0 (version 2.3, section 2.2.1): the template the TPM derives it
// from, the persistent handle the platform may keep it at, and the NV
// index holding its certificate.
type ekProfile struct {
	name       string
	template   tpm2.TPMTPublic
	persistent tpm2.TPMHandle
	certIndex  tpm2.TPMHandle
}

// ekProfiles are tried in order: RSA-2048 (template L-1), which every TPM
// 2.0 has and nearly every one carries a certificate for, then ECC NIST
// P-256 (template L-2) for TPMs without RSA.
var ekProfiles = []ekProfile{
	{name: "rsa-2048", template: tpm2.RSAEKTemplate, persistent: 0x81010001, certIndex: 0x01C00002},
	{name: "ecc-nist-p256", template: tpm2.ECCEKTemplate, persistent: 0x81010002, certIndex: 0x01C0000A},
}

// EndorsementKey is the TPM's endorsement key: its public area, where it
// was found, and its certificate when the TPM holds one.
type EndorsementKey struct {
	Public
	// Persistent is the persistent handle the key was read from
	// (0x81010001); 0 when the TPM derived it from the template.
	Persistent uint32
	// Certificate is the EK certificate from NV memory; nil without one
	// (firmware TPMs such as Intel PTT publish it online instead).
	Certificate *Certificate

	profile ekProfile
}

// loadedKey is an object loaded in the TPM for one exchange.
type loadedKey struct {
	handle tpm2.TPMHandle
	name   tpm2.TPM2BName
	// transient keys are flushed after use; persistent ones stay.
	transient bool
}

func (k loadedKey) named() tpm2.NamedHandle { return tpm2.NamedHandle{Handle: k.handle, Name: k.name} }

// flush unloads a transient key. Errors are ignored: the key goes when the
// resource manager's connection closes anyway, and a raw /dev/tpm0 that
// refuses a flush has bigger problems than one slot.
func (k loadedKey) flush(t transport.TPM) {
	if k.transient {
		tpm2.FlushContext{FlushHandle: k.handle}.Execute(t)
	}
}

// readEndorsementKey finds the EK: the first profile the TPM supports,
// its certificate when NV holds one, the persistent copy when it is the
// certified key (or no certificate says otherwise), else the key derived
// from the template. The key stays loaded; warnings say what was odd.
func readEndorsementKey(t transport.TPM) (*EndorsementKey, loadedKey, []string, error) {
	var errs []error
	for _, prof := range ekProfiles {
		ek, key, warnings, err := readProfile(t, prof)
		if err == nil {
			return ek, key, warnings, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", prof.name, err))
		if !unsupported(err) {
			break
		}
	}
	return nil, loadedKey{}, nil, fmt.Errorf("endorsement key: %w", errors.Join(errs...))
}

func readProfile(t transport.TPM, prof ekProfile) (*EndorsementKey, loadedKey, []string, error) {
	var warnings []string
	cert, err := readCertificate(t, prof.certIndex)
	if err != nil && !errors.Is(err, errNoCertificate) {
		warnings = append(warnings, fmt.Sprintf("EK certificate (NV %#x): %v", uint32(prof.certIndex), err))
	}
	ek := &EndorsementKey{Certificate: cert, profile: prof}
	if pub, key, ok := persistentEK(t, prof); ok && (cert == nil || SameKey(cert.PublicKey, pub.Key)) {
		ek.Public, ek.Persistent = *pub, uint32(prof.persistent)
		return ek, key, warnings, nil
	}
	pub, key, err := createEK(t, prof)
	if err != nil {
		return nil, loadedKey{}, nil, err
	}
	ek.Public = *pub
	if cert != nil && !SameKey(cert.PublicKey, pub.Key) {
		// Kept out: a certificate is evidence only for its own key.
		warnings = append(warnings, fmt.Sprintf("EK certificate (NV %#x) certifies another key than the %s EK: left out", uint32(prof.certIndex), prof.name))
		ek.Certificate = nil
	}
	return ek, key, warnings, nil
}

// persistentEK reads the key at the profile's persistent handle when it is
// an endorsement key of that profile's kind (same attributes and policy as
// the template, so the same authorization works).
func persistentEK(t transport.TPM, prof ekProfile) (*Public, loadedKey, bool) {
	rsp, err := tpm2.ReadPublic{ObjectHandle: prof.persistent}.Execute(t)
	if err != nil {
		return nil, loadedKey{}, false
	}
	pub, err := ParseEndorsementKey(rsp.OutPublic.Bytes())
	if err != nil {
		return nil, loadedKey{}, false
	}
	if area := pub.Area; area.Type != prof.template.Type || area.ObjectAttributes != prof.template.ObjectAttributes ||
		string(area.AuthPolicy.Buffer) != string(prof.template.AuthPolicy.Buffer) {
		return nil, loadedKey{}, false
	}
	return pub, loadedKey{handle: prof.persistent, name: rsp.Name}, true
}

// createEK derives the EK from the profile's template: the same key every
// time, since the endorsement seed only changes when the TPM is cleared
// by its manufacturer's rules (TPM2_ChangeEPS).
func createEK(t transport.TPM, prof ekProfile) (*Public, loadedKey, error) {
	rsp, err := tpm2.CreatePrimary{
		PrimaryHandle: tpm2.TPMRHEndorsement,
		InPublic:      tpm2.New2B(prof.template),
	}.Execute(t)
	if err != nil {
		return nil, loadedKey{}, fmt.Errorf("create from the template: %w", err)
	}
	key := loadedKey{handle: rsp.ObjectHandle, name: rsp.Name, transient: true}
	pub, err := ParseEndorsementKey(rsp.OutPublic.Bytes())
	if err != nil {
		key.flush(t)
		return nil, loadedKey{}, err
	}
	return pub, key, nil
}

// loadEndorsementKey loads the EK found earlier again, for an activation.
func loadEndorsementKey(t transport.TPM, ek *EndorsementKey) (loadedKey, error) {
	if ek.Persistent != 0 {
		// Not read again: a command saved on the challenge's path. A
		// handle that now holds another key cannot recover a credential
		// made for this one; the activation fails.
		return loadedKey{handle: tpm2.TPMHandle(ek.Persistent), name: tpm2.TPM2BName{Buffer: ek.Name}}, nil
	}
	pub, key, err := createEK(t, ek.profile)
	if err != nil {
		return loadedKey{}, fmt.Errorf("endorsement key: %w", err)
	}
	if string(pub.Name) != string(ek.Name) {
		key.flush(t)
		return loadedKey{}, errors.New("endorsement key changed (was the TPM's endorsement hierarchy reset?)")
	}
	return key, nil
}

// unsupported reports whether err means the TPM lacks the algorithm or key
// size, so that the next profile is worth a try.
func unsupported(err error) bool {
	for _, rc := range []tpm2.TPMRC{tpm2.TPMRCAsymmetric, tpm2.TPMRCKeySize, tpm2.TPMRCCurve, tpm2.TPMRCValue, tpm2.TPMRCScheme, tpm2.TPMRCSymmetric, tpm2.TPMRCHash} {
		if errors.Is(err, rc) {
			return true
		}
	}
	return false
}

// errNoCertificate: the NV index is not defined.
var errNoCertificate = errors.New("no EK certificate")

// readCertificate reads an EK certificate NV index. The index is read
// with its own (empty) authorization, which TPMA_NV_AUTHREAD allows and
// which works when an operating system set an owner password; the owner
// hierarchy's is tried next.
func readCertificate(t transport.TPM, index tpm2.TPMHandle) (*Certificate, error) {
	pubRsp, err := tpm2.NVReadPublic{NVIndex: index}.Execute(t)
	if errors.Is(err, tpm2.TPMRCHandle) {
		return nil, errNoCertificate
	}
	if err != nil {
		return nil, err
	}
	nv, err := pubRsp.NVPublic.Contents()
	if err != nil {
		return nil, err
	}
	size := int(nv.DataSize)
	if size == 0 {
		return nil, errNoCertificate
	}
	if size > MaxCertificateSize {
		return nil, fmt.Errorf("%d bytes, more than %d", size, MaxCertificateSize)
	}
	chunk := nvBufferMax(t)
	named := tpm2.NamedHandle{Handle: index, Name: pubRsp.NVName}
	var data []byte
	for _, auth := range []tpm2.AuthHandle{
		{Handle: index, Name: pubRsp.NVName, Auth: tpm2.PasswordAuth(nil)},
		{Handle: tpm2.TPMRHOwner, Auth: tpm2.PasswordAuth(nil)},
	} {
		if data, err = readNV(t, auth, named, size, chunk); err == nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return ParseCertificate(data)
}

func readNV(t transport.TPM, auth tpm2.AuthHandle, index tpm2.NamedHandle, size, chunk int) ([]byte, error) {
	data := make([]byte, 0, size)
	for len(data) < size {
		n := min(chunk, size-len(data))
		rsp, err := tpm2.NVRead{AuthHandle: auth, NVIndex: index, Size: uint16(n), Offset: uint16(len(data))}.Execute(t)
		if err != nil {
			return nil, err
		}
		if len(rsp.Data.Buffer) == 0 || len(rsp.Data.Buffer) > n {
			return nil, fmt.Errorf("NV read at %d: %d bytes, asked %d", len(data), len(rsp.Data.Buffer), n)
		}
		data = append(data, rsp.Data.Buffer...)
	}
	return data, nil
}

// nvBufferMax is how much one TPM2_NV_Read may return
// (TPM_PT_NV_BUFFER_MAX); 512 when the TPM does not say, which every TPM
// 2.0 accepts.
func nvBufferMax(t transport.TPM) int {
	const fallback = 512
	rsp, err := tpm2.GetCapability{Capability: tpm2.TPMCapTPMProperties, Property: uint32(tpm2.TPMPTNVBufferMax), PropertyCount: 1}.Execute(t)
	if err != nil {
		return fallback
	}
	props, err := rsp.CapabilityData.Data.TPMProperties()
	if err != nil || len(props.TPMProperty) == 0 || props.TPMProperty[0].Property != tpm2.TPMPTNVBufferMax {
		return fallback
	}
	if v := int(props.TPMProperty[0].Value); v >= 64 && v <= 4096 {
		return v
	}
	return fallback
}
