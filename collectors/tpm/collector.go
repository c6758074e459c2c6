package tpm

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
	tpmdev "github.com/hwagent/hwagent/tpm"
)

// New returns the tpm collector.
func New() collector.Collector { return tpmCollector{} }

type tpmCollector struct{}

func (tpmCollector) Name() string { return "tpm" }

// Phase is Identity: the registration carries the TPM's keys as its TPM
// evidence (the server may pin or challenge them).
func (tpmCollector) Phase() collector.Phase { return collector.Identity }

// Collect reads the endorsement key through the environment's shared TPM
// (collector.Env.TPM), which keeps the identity for the agent.
func (tpmCollector) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	p := env.Paths
	sysDir := p.Sys("class", "tpm", "tpm0")
	_, sysErr := p.Stat(sysDir)
	node, _, err := tpmdev.Find(p)
	switch {
	case errors.Is(err, tpmdev.ErrNoTPM) && sysErr == nil:
		return nil, fmt.Errorf("the kernel has a TPM (%s) but this container sees no %s or %s: bind the host's /dev (images/linuxkit/hwagent.yml)",
			p.HostPath(sysDir), p.HostPath(p.Dev("tpmrm0")), p.HostPath(p.Dev("tpm0")))
	case errors.Is(err, tpmdev.ErrNoTPM):
		return nil, collector.NotApplicable("no TPM: no %s, %s or %s", p.HostPath(sysDir), p.HostPath(p.Dev("tpmrm0")), p.HostPath(p.Dev("tpm0")))
	case err != nil:
		return nil, err
	}
	if v, err := p.ReadUint(filepath.Join(sysDir, "tpm_version_major")); err == nil && v == 1 {
		return nil, collector.NotApplicable("TPM 1.2: hwagent reads TPM 2.0 endorsement keys only")
	} else if err != nil && !hostpaths.Ignorable(err) {
		return nil, fmt.Errorf("read %s: %w", p.HostPath(filepath.Join(sysDir, "tpm_version_major")), err)
	}
	id, err := env.TPM().Identity(ctx)
	switch {
	case errors.Is(err, hostpaths.ErrRecorded):
		return nil, fmt.Errorf("%s: a recorded host (hwagent snapshot): the TPM was not asked", p.HostPath(node))
	case errors.Is(err, hostpaths.ErrNotCharDevice):
		return nil, fmt.Errorf("%s is %w or socket: the TPM was not asked", p.HostPath(node), hostpaths.ErrNotCharDevice)
	case err != nil:
		return nil, err
	}
	ek := endorsementKey(id.EK)
	device := strings.Replace(filepath.Base(node), "tpmrm", "tpm", 1)
	apply := func(inv *inventory.Inventory) {
		if inv.Firmware == nil {
			inv.Firmware = &inventory.Firmware{}
		}
		if inv.Firmware.TPM == nil {
			inv.Firmware.TPM = &inventory.TPM{Device: device, Version: "2.0"}
		}
		inv.Firmware.TPM.EndorsementKey = ek
	}
	var w collector.Warnings
	for _, warning := range id.Warnings {
		w.Addf("%s", warning)
	}
	return apply, w.Err()
}

// endorsementKey is the inventory's view of the EK.
func endorsementKey(ek *tpmdev.EndorsementKey) *inventory.TPMEndorsementKey {
	out := &inventory.TPMEndorsementKey{Algorithm: ek.Algorithm, PublicKeySHA256: ek.SHA256}
	if ek.Persistent != 0 {
		out.Persistent = fmt.Sprintf("%#x", ek.Persistent)
	}
	if c := ek.Certificate; c != nil {
		out.CertificateIssuer, out.CertificateSerial = c.Issuer, c.Serial
	}
	return out
}
