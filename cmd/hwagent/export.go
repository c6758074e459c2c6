package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/hardwarecsv"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/export/tinkerbell"
	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
)

// exportFlags configure `hwagent export`: where inventories come from, the
// plan file and a flag for every plan field.
type exportFlags struct {
	planFile   string
	output     string
	admin      adminFlags
	query      map[string]*string // server list filters
	bmcUser    string
	p          plan.Plan // flag values; applied over the plan file when given
	roles      []string
	rootDevice map[string]string
	fs         *pflag.FlagSet
	// kube: export tinkerbell --apply (nil for hardware-csv).
	kube *applyFlags
}

func (f *exportFlags) bind(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.planFile, "plan", "", "plan file (YAML): addresses, hostnames, roles, credentials; flags override its fields")
	fs.StringVarP(&f.output, "output", "o", "", "write to this file (created 0600 and replaced only on success; default stdout)")
	f.admin.bind(fs, "read inventories from this hwagent server's operator API", "request-timeout")
	f.query = map[string]*string{}
	for _, q := range []string{api.QueryVendor, api.QueryProduct, api.QueryState, api.QuerySwitch} {
		f.query[q] = fs.String("server-"+q, "", "with --server: only machines whose "+q+" matches")
	}
	fs.StringVar(&f.bmcUser, "bmc-username", "", "BMC username when the credentials file gives none (also HWAGENT_BMC_USERNAME); the password comes only from the file or HWAGENT_BMC_PASSWORD")

	p := &f.p
	fs.StringVar(&p.CIDR, "cidr", "", "the machines' subnet (gives netmask and pool)")
	fs.StringVar(&p.PoolStart, "pool-start", "", "first address handed out")
	fs.StringVar(&p.PoolEnd, "pool-end", "", "last address handed out")
	fs.StringToStringVar(&p.Addresses, "address", nil, "fixed address by serial or MAC: KEY=IP (repeatable)")
	fs.StringVar(&p.Netmask, "netmask", "", "netmask (default from --cidr)")
	fs.StringVar(&p.Gateway, "gateway", "", "default gateway")
	fs.StringSliceVar(&p.Nameservers, "nameservers", nil, "DNS servers (comma separated)")
	fs.Var(&p.VLAN, "vlan", "VLAN ID, or lldp for the port VLAN the switch advertises on the boot NIC")
	fs.StringVar(&p.HostnameTemplate, "hostname-template", "", "Go template for hostnames (default "+plan.DefaultHostnameTemplate+")")
	fs.StringToStringVar(&p.Hostnames, "hostname-for", nil, "fixed hostname by serial or MAC: KEY=NAME (repeatable)")
	fs.StringToStringVar(&p.Labels, "label", nil, "label for every machine: KEY=VALUE (repeatable)")
	fs.StringArrayVar(&f.roles, "role", nil, `role rule "MATCH:LABELS", e.g. "product=X9DBL*,count=3:type=cp" or ":type=worker" (repeatable, in order; replaces the plan's roles)`)
	fs.StringVar(&p.BMC, "bmc", "", "BMC columns: auto, required or omit (default auto)")
	fs.StringVar(&p.BMCCredentialsFile, "bmc-credentials-file", "", "YAML file with BMC username/password, optionally per machine")
	fs.StringToStringVar(&p.BMCAddresses, "bmc-address", nil, "BMC address by serial or MAC: KEY=IP (repeatable)")
	fs.StringVar(&p.Disk, "disk", "", "install disk of every machine (/dev/sda)")
	fs.StringToStringVar(&p.Disks, "disk-for", nil, "install disk by serial or MAC: KEY=/dev/NAME (repeatable)")
	fs.Var(&p.DiskMinSize, "disk-min-size", "smallest install disk considered (default 16GiB)")
	fs.StringSliceVar(&p.DiskPrefer, "disk-prefer", nil, "disk classes in order of preference (default nvme,ssd,hdd)")
	fs.StringSliceVar(&p.DiskExcludeTransports, "disk-exclude-transports", nil, "transports never installed to (default usb)")
	fs.BoolVar(&p.DiskAllowRemovable, "disk-allow-removable", false, "consider removable disks")
	fs.BoolVar(&p.DiskAllowInUse, "disk-allow-in-use", false, "let the install disk be one that holds data (partition table, filesystem, LVM/md/ZFS member, mounted, the running root)")
	fs.StringToStringVar(&f.rootDevice, "root-device", nil, `Ironic root device hint for every machine: HINT=EXPR, e.g. serial=S3Z1NB0K, "size=>= 200", rotational=false (repeatable; replaces the plan's root_device)`)
	fs.StringVar(&p.BootInterface, "boot-interface", "", "provision over this NIC (by name) instead of the one that netbooted")
	fs.StringToStringVar(&p.BootMACs, "boot-mac", nil, "provisioning MAC by serial or MAC: KEY=MAC (repeatable)")
	fs.StringVar(&p.Namespace, "namespace", "", "namespace of the Tinkerbell objects (default "+plan.DefaultNamespace+")")
	fs.StringVar(&p.FacilityCode, "facility-code", "", "Hardware spec.metadata.facility.facility_code (default "+plan.DefaultFacilityCode+")")
	fs.StringArrayVar(&p.KernelParams, "kernel-param", nil, "Hook kernel parameter written to every Hardware's netboot.osie.kernelParams, e.g. hwagent.server=https://10.0.0.5:8443 (repeatable; replaces the plan's kernel_params)")
	fs.StringVar(&p.Names, "names", "", "Hardware names: hostname (default, as EKS Anywhere) or discovery (discovery-<agent ID>, as Tinkerbell's auto-discovery and hwagent serve)")
}

// plan is the plan file with the flags the user gave applied over it:
// scalars and lists replace, maps add entries, --role replaces the roles.
func (f *exportFlags) plan() (*plan.Plan, error) {
	p := &plan.Plan{}
	if f.planFile != "" {
		var err error
		if p, err = plan.LoadPlan(f.planFile); err != nil {
			return nil, err
		}
	}
	set := func(name string, apply func()) {
		if f.fs.Changed(name) {
			apply()
		}
	}
	fp := &f.p
	set("cidr", func() { p.CIDR = fp.CIDR })
	set("pool-start", func() { p.PoolStart = fp.PoolStart })
	set("pool-end", func() { p.PoolEnd = fp.PoolEnd })
	set("netmask", func() { p.Netmask = fp.Netmask })
	set("gateway", func() { p.Gateway = fp.Gateway })
	set("nameservers", func() { p.Nameservers = fp.Nameservers })
	set("vlan", func() { p.VLAN = fp.VLAN })
	set("hostname-template", func() { p.HostnameTemplate = fp.HostnameTemplate })
	set("bmc", func() { p.BMC = fp.BMC })
	set("bmc-credentials-file", func() { p.BMCCredentialsFile = fp.BMCCredentialsFile })
	set("disk", func() { p.Disk = fp.Disk })
	set("disk-min-size", func() { p.DiskMinSize = fp.DiskMinSize })
	set("disk-prefer", func() { p.DiskPrefer = fp.DiskPrefer })
	set("disk-exclude-transports", func() { p.DiskExcludeTransports = fp.DiskExcludeTransports })
	set("disk-allow-removable", func() { p.DiskAllowRemovable = fp.DiskAllowRemovable })
	set("disk-allow-in-use", func() { p.DiskAllowInUse = fp.DiskAllowInUse })
	set("root-device", func() {
		p.RootDevice = plan.RootDevice{}
		for k, v := range f.rootDevice {
			p.RootDevice[k] = v
		}
	})
	set("boot-interface", func() { p.BootInterface = fp.BootInterface })
	set("namespace", func() { p.Namespace = fp.Namespace })
	set("facility-code", func() { p.FacilityCode = fp.FacilityCode })
	set("names", func() { p.Names = fp.Names })
	set("kernel-param", func() { p.KernelParams = fp.KernelParams })
	for name, m := range map[string]struct {
		dst *map[string]string
		src map[string]string
	}{
		"address":      {&p.Addresses, fp.Addresses},
		"hostname-for": {&p.Hostnames, fp.Hostnames},
		"label":        {&p.Labels, fp.Labels},
		"bmc-address":  {&p.BMCAddresses, fp.BMCAddresses},
		"disk-for":     {&p.Disks, fp.Disks},
		"boot-mac":     {&p.BootMACs, fp.BootMACs},
	} {
		if !f.fs.Changed(name) {
			continue
		}
		if *m.dst == nil {
			*m.dst = map[string]string{}
		}
		for k, v := range m.src {
			(*m.dst)[k] = v
		}
	}
	if f.fs.Changed("role") {
		p.Roles = nil
		for _, spec := range f.roles {
			r, err := plan.ParseRole(spec)
			if err != nil {
				return nil, fmt.Errorf("--role %w", err)
			}
			p.Roles = append(p.Roles, r)
		}
	}
	return p, nil
}

// exporter builds the exporter: plan, then credentials (file, then
// --bmc-username / HWAGENT_BMC_USERNAME and HWAGENT_BMC_PASSWORD).
func (f *exportFlags) exporter() (*export.Exporter, *plan.Plan, error) {
	p, err := f.plan()
	if err != nil {
		return nil, nil, err
	}
	creds := &plan.Credentials{}
	if p.BMCCredentialsFile != "" {
		if creds, err = plan.LoadCredentials(p.BMCCredentialsFile); err != nil {
			return nil, nil, err
		}
	}
	creds.Default = plan.MachineCredentials{Username: f.bmcUser, Password: secret.Value(os.Getenv("HWAGENT_BMC_PASSWORD"))}
	x, err := export.New(*p, creds)
	if err != nil {
		return nil, nil, err
	}
	return x, p, nil
}

func newExportCmd(g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Turn inventories into EKS Anywhere hardware.csv or Tinkerbell Hardware manifests",
		Long: `Turn a fleet's inventories into what provisioners read: the hardware.csv
that eksctl anywhere takes (hardware-csv), or Tinkerbell Hardware objects with
the Rufio BMC Machine and Secret EKS Anywhere generates (tinkerbell).

Inventories come from files (documents written by hwagent dump -o json; a
directory stands for its *.json files; - reads documents from stdin) or from
an hwagent server (--server, --admin-token). A plan (--plan, every field also
a flag) gives what discovery cannot know: addresses, hostnames, roles and BMC
credentials. Every row is checked against the rules EKS Anywhere enforces; if
any machine fails, the command lists every failing machine with its reasons
and writes nothing.`,
	}
	cmd.AddCommand(
		newExportSubCmd(g, stdout, stderr, "hardware-csv", "Write an EKS Anywhere hardware.csv", func(w io.Writer, _ *plan.Plan) export.Writer {
			return hardwarecsv.NewWriter(w)
		}, nil),
		newTinkerbellCmd(g, stdout, stderr),
	)
	return cmd
}

// newTinkerbellCmd is export tinkerbell: YAML, or with --apply the objects
// server-side applied to a cluster.
func newTinkerbellCmd(g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	kf := &applyFlags{}
	cmd := newExportSubCmd(g, stdout, stderr, "tinkerbell", "Write Tinkerbell Hardware (and Rufio Machine and Secret) manifests, or apply them (--apply)", func(w io.Writer, p *plan.Plan) export.Writer {
		if kf.apply {
			return newApplyWriter(w, p)
		}
		return tinkerbell.NewWriter(w, p.Namespace, p.FacilityCode)
	}, kf)
	cmd.Example += `
  hwagent export tinkerbell --apply --kubeconfig ~/.kube/config --namespace tink-system --names discovery --plan plan.yaml inventories/`
	return cmd
}

func newExportSubCmd(g *globalFlags, stdout, stderr io.Writer, use, short string, mk func(io.Writer, *plan.Plan) export.Writer, kf *applyFlags) *cobra.Command {
	f := &exportFlags{kube: kf}
	cmd := &cobra.Command{
		Use:   use + " [INVENTORY.json|DIR|-]...",
		Short: short,
		Example: `  hwagent export ` + use + ` --plan plan.yaml inventories/ -o out
  hwagent export ` + use + ` --server https://hwagent:8443 --admin-token "$T" --plan plan.yaml
  hwagent export ` + use + ` --cidr 10.10.10.0/24 --gateway 10.10.10.1 --nameservers 1.1.1.1 \
      --role 'product=PowerEdge*,count=3:type=cp' --role ':type=worker' inv/*.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && f.admin.server == "" {
				return errors.New("no inventories: give files, directories, - for stdin, or --server")
			}
			if f.kube != nil {
				if err := f.kube.check(f.output); err != nil {
					return err
				}
			}
			x, p, err := f.exporter()
			if err != nil {
				return err
			}
			return runExport(cmd.Context(), g.logger, f, x, p, args, cmd.InOrStdin(), stdout, mk)
		},
	}
	f.bind(cmd.Flags())
	if kf != nil {
		kf.bind(cmd.Flags())
	}
	return cmd
}

// runExport gathers the refs, exports into a temporary file and moves it
// into place (or copies it to stdout) only when every machine succeeded.
func runExport(ctx context.Context, logger *slog.Logger, f *exportFlags, x *export.Exporter, p *plan.Plan, args []string, stdin io.Reader, stdout io.Writer, mk func(io.Writer, *plan.Plan) export.Writer) error {
	spool, err := os.MkdirTemp("", "hwagent-export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(spool)

	var refs []source.Ref
	var files []string
	for _, a := range args {
		if a != "-" {
			files = append(files, a)
			continue
		}
		dir, err := os.MkdirTemp(spool, "stdin-")
		if err != nil {
			return err
		}
		r, err := source.Spool(stdin, dir, "stdin")
		if err != nil {
			return err
		}
		refs = append(refs, r...)
	}
	fr, err := source.FileRefs(files)
	if err != nil {
		return err
	}
	refs = append(refs, fr...)
	if f.admin.server != "" {
		q := url.Values{}
		for k, v := range f.query {
			if *v != "" {
				q.Set(k, *v)
			}
		}
		dir, err := os.MkdirTemp(spool, "server-")
		if err != nil {
			return err
		}
		c, err := f.admin.client(logger)
		if err != nil {
			return err
		}
		src := &source.ServerSource{Client: c, Query: q, BMCLogins: p.BMC != plan.BMCOmit}
		r, err := src.Spool(ctx, dir)
		if err != nil {
			return err
		}
		refs = append(refs, r...)
		x.WithStoredLogins(export.StoredLogins(src.Logins))
	}
	if len(refs) == 0 {
		return errors.New("no inventories found")
	}

	dest := f.output
	var out output
	if dest != "" {
		if out, err = outputFor(dest); err != nil {
			return err
		}
	}
	tmp, err := os.CreateTemp(out.tempDir(spool), ".hwagent-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this is a no-op
	res, err := x.Export(ctx, refs, mk(tmp, p))
	if err != nil {
		tmp.Close()
		return err
	}
	for _, w := range res.Warnings {
		logger.Warn(w)
	}
	if f.kube != nil && f.kube.apply {
		defer tmp.Close()
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		return f.kube.applyObjects(ctx, logger, tmp, stdout)
	}
	if dest == "" {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			tmp.Close()
			return err
		}
		_, err = io.Copy(stdout, tmp)
		tmp.Close()
		return err
	}
	if err := out.place(tmp); err != nil {
		return err
	}
	logger.Info("exported", "machines", res.Machines, "file", dest)
	return nil
}

// dumpCSV prints this machine's hardware.csv row under the plan file (none:
// an empty plan). A row EKS Anywhere would reject is not printed: the
// command fails with every reason, as hwagent export does.
func dumpCSV(stdout io.Writer, logger *slog.Logger, planFile string, inv *inventory.Inventory) error {
	f := &exportFlags{}
	f.bind(pflag.NewFlagSet("dump-csv", pflag.ContinueOnError))
	f.planFile = planFile
	x, _, err := f.exporter()
	if err != nil {
		return err
	}
	row, cols, reasons := x.Preview(inv)
	if len(reasons) > 0 {
		var b strings.Builder
		b.WriteString("this machine's hardware.csv row would be rejected; nothing was printed:")
		for _, r := range reasons {
			b.WriteString("\n  - " + r)
		}
		if planFile == "" {
			b.WriteString("\n(discovery cannot know the address plan: give --plan FILE with cidr, gateway and nameservers; see docs/export.md)")
		}
		return errors.New(b.String())
	}
	if inv.Firmware != nil && inv.Firmware.BootMode == "bios" {
		logger.Warn("this machine booted in legacy BIOS mode; EKS Anywhere provisions in UEFI mode (every hardware.csv row becomes uefi: true): switch its firmware to UEFI boot before provisioning")
	}
	return hardwarecsv.WriteRecords(stdout, cols, row)
}
