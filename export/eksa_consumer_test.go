package export_test

// An independent re-implementation of what EKS Anywhere does with a
// hardware.csv (aws/eks-anywhere pkg/providers/tinkerbell/hardware @aebd9a0:
// csv.go's required columns, normalize.go's MAC lower-casing, machine.go's
// label and nameserver parsing, validator.go's StaticMachineAssertions and
// Unique* assertions), written from those sources and apimachinery's
// validation rules without calling the exporter's own validation. Every CSV
// the tests produce goes through it.

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// eksaMachine is EKS Anywhere's hardware.Machine.
type eksaMachine struct {
	Hostname, IPAddress, Netmask, Gateway string
	Nameservers                           []string
	MACAddress, Disk                      string
	Labels                                map[string]string
	BMCIPAddress, BMCUsername             string
	BMCPassword, VLANID                   string
}

func (m eksaMachine) hasBMC() bool {
	return m.BMCIPAddress != "" || m.BMCUsername != "" || m.BMCPassword != ""
}

var (
	eksaRequired = []string{"hostname", "ip_address", "netmask", "gateway", "nameservers", "mac", "disk", "labels"}
	// apimachinery validation.
	eksaDNS1123Label   = regexp.MustCompile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
	eksaDNS1123Sub     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	eksaQualifiedName  = regexp.MustCompile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
	eksaLabelValue     = regexp.MustCompile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
	eksaLinuxPathRegex = regexp.MustCompile(`^(/dev/[\w-]+)+$`)
)

func eksaIsDNS1123Subdomain(s string) bool {
	return len(s) <= 253 && eksaDNS1123Sub.MatchString(s)
}

func eksaIsQualifiedName(s string) bool {
	parts := strings.Split(s, "/")
	name := parts[0]
	switch len(parts) {
	case 1:
	case 2:
		if parts[0] == "" || !eksaIsDNS1123Subdomain(parts[0]) {
			return false
		}
		name = parts[1]
	default:
		return false
	}
	return name != "" && len(name) <= 63 && eksaQualifiedName.MatchString(name)
}

// eksaReadCSV parses a hardware.csv as EKS Anywhere does; it fails on
// missing required columns or malformed labels.
func eksaReadCSV(b []byte) ([]eksaMachine, error) {
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("empty csv")
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var missing []string
	for _, r := range eksaRequired {
		if _, ok := col[r]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing required columns in csv: %v", strings.Join(missing, ", "))
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok {
			return rec[i]
		}
		return ""
	}
	var out []eksaMachine
	for _, rec := range recs[1:] {
		m := eksaMachine{
			Hostname: get(rec, "hostname"), IPAddress: get(rec, "ip_address"),
			Netmask: get(rec, "netmask"), Gateway: get(rec, "gateway"),
			Nameservers: strings.Split(get(rec, "nameservers"), "|"),
			MACAddress:  strings.ToLower(get(rec, "mac")), Disk: get(rec, "disk"),
			Labels:       map[string]string{},
			BMCIPAddress: get(rec, "bmc_ip"), BMCUsername: get(rec, "bmc_username"),
			BMCPassword: get(rec, "bmc_password"), VLANID: get(rec, "vlan_id"),
		}
		if l := get(rec, "labels"); l != "" {
			for _, pair := range strings.Split(l, "|") {
				kv := strings.Split(strings.TrimSpace(pair), "=")
				if len(kv) != 2 {
					return nil, fmt.Errorf("badly formatted key-value pair: %v", pair)
				}
				m.Labels[strings.TrimSpace(kv[0])] = strings.TrimSpace(kv[1])
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// eksaValidate is validator.go: the static assertions, then uniqueness of
// IP, MAC, hostname and BMC IP. It returns every failure, not only the
// first (EKS Anywhere stops at the first).
func eksaValidate(ms []eksaMachine) []string {
	var errs []string
	ips, macs, hosts, bmcs := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, m := range ms {
		fail := func(format string, args ...any) {
			errs = append(errs, m.Hostname+": "+fmt.Sprintf(format, args...))
		}
		switch {
		case m.IPAddress == "":
			fail("IPAddress is empty")
		case net.ParseIP(m.IPAddress) == nil:
			fail("IPAddress: invalid")
		}
		switch {
		case m.Gateway == "":
			fail("Gateway is empty")
		case net.ParseIP(m.Gateway) == nil:
			fail("Gateway: invalid")
		}
		if len(m.Nameservers) == 0 {
			fail("Nameservers is empty")
		}
		for _, ns := range m.Nameservers {
			if ns == "" {
				fail("Nameservers contains an empty entry")
			}
		}
		if m.Netmask == "" {
			fail("Netmask is empty")
		}
		if m.MACAddress == "" {
			fail("MACAddress is empty")
		} else if _, err := net.ParseMAC(m.MACAddress); err != nil {
			fail("MACAddress: %v", err)
		}
		if m.Hostname == "" {
			fail("Hostname is empty")
		} else if !eksaIsDNS1123Subdomain(m.Hostname) {
			fail("invalid hostname")
		}
		if !eksaLinuxPathRegex.MatchString(m.Disk) {
			fail("disk must be a valid linux path")
		}
		for k, v := range m.Labels {
			if !eksaIsQualifiedName(k) {
				fail("label key %q", k)
			}
			if len(v) > 63 || !eksaLabelValue.MatchString(v) {
				fail("label value %q", v)
			}
		}
		if m.hasBMC() {
			if m.BMCIPAddress == "" {
				fail("BMCIPAddress is empty")
			} else if net.ParseIP(m.BMCIPAddress) == nil {
				fail("BMCIPAddress: invalid")
			}
			if m.BMCUsername == "" {
				fail("BMCUsername is empty")
			}
			if m.BMCPassword == "" {
				fail("BMCPassword is empty")
			}
		}
		if m.VLANID != "" {
			i, err := strconv.Atoi(m.VLANID)
			if err != nil {
				fail("VLANID: must be a string integer")
			} else if i < 1 || i > 4094 {
				fail("VLANID: must be between 1 and 4094")
			}
		}
		for _, u := range []struct {
			seen map[string]bool
			v    string
			what string
			skip bool
		}{{ips, m.IPAddress, "IPAddress", false}, {macs, m.MACAddress, "MACAddress", false}, {hosts, m.Hostname, "Hostname", false}, {bmcs, m.BMCIPAddress, "BMC IPAddress", !m.hasBMC()}} {
			if u.skip {
				continue
			}
			if u.seen[u.v] {
				fail("duplicate %s: %v", u.what, u.v)
			}
			u.seen[u.v] = true
		}
	}
	sort.Strings(errs)
	return errs
}

// eksaAccepts reads and validates a CSV as EKS Anywhere would.
func eksaAccepts(b []byte) error {
	ms, err := eksaReadCSV(b)
	if err != nil {
		return err
	}
	if errs := eksaValidate(ms); len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}
