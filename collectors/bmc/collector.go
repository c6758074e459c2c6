package bmc

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/ipmi"
)

// New returns the BMC collector. It asks the BMC through the host's
// Machine (hostpaths.Machine.OpenIPMI): the kernel's device node on a live
// host; a recording has none, and its BMC is not asked.
func New() collector.Collector { return bmcCollector{} }

type bmcCollector struct{}

func (bmcCollector) Name() string { return "bmc" }

// Collect fills inventory.BMC; see the package documentation for when it
// is not applicable, partial or failed.
func (bmcCollector) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	p := env.Paths
	var w collector.Warnings
	b := &inventory.BMC{}
	fromSMBIOS(env, b, &w)

	node, err := findDevice(p)
	w.Add(err)
	if node == "" {
		driver := ipmiDriverProblem(p)
		switch {
		case b.Interface != nil && driver != "":
			w.Addf("IPMI %s interface at %s in SMBIOS but no %s: %s",
				b.Interface.Type, b.Interface.BaseAddress, p.HostPath(deviceCandidates(p)[0]), driver)
			return apply(b), w.Err()
		case b.Interface != nil:
			w.Addf("IPMI %s interface at %s in SMBIOS but no %s: load %s and ipmi_devintf",
				b.Interface.Type, b.Interface.BaseAddress, p.HostPath(deviceCandidates(p)[0]), driverModule(b.Interface.Type))
			return apply(b), w.Err()
		case b.Redfish != nil:
			if driver != "" {
				w.Addf("in-band IPMI not checked: %s", driver)
			}
			return apply(b), w.Err()
		case driver != "":
			return nil, errors.New(driver)
		}
		return nil, collector.NotApplicable("no BMC: no SMBIOS type 38 or 42 record and no %s", p.HostPath(deviceCandidates(p)[0]))
	}
	b.DevicePath = p.HostPath(node)

	dev, err := p.Machine().OpenIPMI(node)
	switch {
	case errors.Is(err, hostpaths.ErrRecorded):
		w.Addf("%s: a recorded host (hwagent snapshot): the BMC was not asked", b.DevicePath)
		return apply(b), w.Err()
	case errors.Is(err, hostpaths.ErrNotCharDevice):
		w.Addf("%s is %v: the BMC was not asked", b.DevicePath, hostpaths.ErrNotCharDevice)
		return apply(b), w.Err()
	case err != nil:
		return nil, err
	}
	defer dev.Close()
	client := ipmi.NewClient(dev, env.Config.IPMITimeout)

	id, err := client.DeviceID(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.DevicePath, err)
	}
	setIdentity(b, id)
	if !readGUIDs(ctx, client, b, &w) {
		return apply(b), w.Err()
	}
	readLAN(ctx, env, client, b, &w)
	return apply(b), w.Err()
}

func apply(b *inventory.BMC) collector.Apply {
	return func(inv *inventory.Inventory) { inv.BMC = b }
}

// fromSMBIOS copies the type 38 and type 42 records.
func fromSMBIOS(env *collector.Env, b *inventory.BMC, w *collector.Warnings) {
	tbl, err := env.SMBIOS()
	if err != nil {
		if !errors.Is(err, collector.ErrNotApplicable) {
			w.Addf("SMBIOS: %v", err)
		}
		return
	}
	if p := tbl.Problem(); p != nil {
		w.Add(p) // types 38 and 42 may be missing
	}
	if b.Interface, err = tbl.IPMIInterface(); err != nil {
		w.Addf("SMBIOS type 38: %v", err)
	}
	his, err := tbl.RedfishHostInterfaces()
	if err != nil {
		w.Addf("SMBIOS type 42: %v", err)
	}
	b.Redfish = pickRedfish(his)
}

// pickRedfish prefers the first host interface offering Redfish over IP.
func pickRedfish(his []inventory.RedfishHostInterface) *inventory.RedfishHostInterface {
	for i := range his {
		if slices.Contains(his[i].Protocols, "Redfish over IP") {
			return &his[i]
		}
	}
	if len(his) > 0 {
		return &his[0]
	}
	return nil
}

// driverModule is the kernel module that drives a type 38 interface.
func driverModule(iface string) string {
	if iface == "SSIF" {
		return "ipmi_ssif"
	}
	return "ipmi_si"
}

func setIdentity(b *inventory.BMC, id ipmi.DeviceID) {
	b.DeviceID = id.DeviceID
	b.DeviceRevision = id.DeviceRevision
	b.FirmwareVersion = id.FirmwareVersion()
	b.FirmwareUpdateInProgress = id.UpdateInProgress
	b.AuxFirmwareRevision = id.AuxFirmwareHex()
	b.IPMIVersion = id.IPMIVersion()
	b.ManufacturerID = id.ManufacturerID
	b.Manufacturer = ipmi.VendorName(id.ManufacturerID)
	b.ProductID = id.ProductID
}

// readGUIDs asks for the device and system GUIDs. A BMC without the
// command answers with a completion code: the GUID is left out. It returns
// false when the BMC stopped answering.
func readGUIDs(ctx context.Context, client *ipmi.Client, b *inventory.BMC, w *collector.Warnings) bool {
	for _, g := range []struct {
		get func(context.Context) (ipmi.GUID, error)
		dst *string
	}{{client.DeviceGUID, &b.DeviceGUID}, {client.SystemGUID, &b.SystemGUID}} {
		guid, err := g.get(ctx)
		var ce *ipmi.CompletionError
		switch {
		case err == nil:
			if !guid.Placeholder() {
				*g.dst = guid.String()
			}
		case errors.As(err, &ce):
		case ipmi.Answered(err):
			w.Addf("%s: %v", b.DevicePath, err)
		default:
			w.Addf("%s: %v", b.DevicePath, err)
			return false
		}
	}
	return true
}
