package export

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// The rules EKS Anywhere applies to hardware.csv (pkg/providers/tinkerbell/
// hardware: csv.go, machine.go, validator.go), and a few stricter ones
// noted where they are.

// diskPattern is EKS Anywhere's linuxPathRegex.
var diskPattern = lazyRegexp(`^(/dev/[\w-]+)+$`)

// DNS-1123 and Kubernetes label syntax (k8s.io/apimachinery/pkg/util/validation).
var (
	dns1123Label   = lazyRegexp(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	qualifiedName  = lazyRegexp(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`)
	labelValueExpr = lazyRegexp(`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`)
)

// hostnameProblem says why h is not a DNS-1123 subdomain, or "".
func hostnameProblem(h string) string {
	switch {
	case h == "":
		return "hostname is empty"
	case len(h) > 253:
		return fmt.Sprintf("hostname %s is longer than 253 characters (%d)", clip(h), len(h))
	}
	for _, l := range strings.Split(h, ".") {
		if len(l) > 63 {
			return fmt.Sprintf("hostname %s: label %s is longer than 63 characters (%d)", clip(h), clip(l), len(l))
		}
		if !dns1123Label().MatchString(l) {
			return fmt.Sprintf("hostname %s is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending alphanumeric)", clip(h))
		}
	}
	return ""
}

// clip quotes s for a message, shortened to 40 bytes.
func clip(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:37]) + "..."
	}
	return strconv.Quote(s)
}

// labelKeyProblem says why k is not a Kubernetes label key, or "".
func labelKeyProblem(k string) string {
	name := k
	if i := strings.LastIndexByte(k, '/'); i >= 0 {
		prefix := k[:i]
		name = k[i+1:]
		if p := hostnameProblem(prefix); p != "" || strings.Count(k, "/") > 1 {
			return fmt.Sprintf("label key %q: prefix must be a DNS-1123 subdomain", k)
		}
	}
	switch {
	case name == "":
		return fmt.Sprintf("label key %q: name is empty", k)
	case len(name) > 63:
		return fmt.Sprintf("label key %q: name is longer than 63 characters", k)
	case !qualifiedName().MatchString(name):
		return fmt.Sprintf("label key %q: name must be alphanumerics, '-', '_' or '.', starting and ending alphanumeric", k)
	}
	return ""
}

// labelValueProblem says why v is not a Kubernetes label value, or "".
func labelValueProblem(k, v string) string {
	switch {
	case len(v) > 63:
		return fmt.Sprintf("label %s: value %q is longer than 63 characters", k, v)
	case !labelValueExpr().MatchString(v):
		return fmt.Sprintf("label %s: value %q must be empty or alphanumerics, '-', '_' or '.', starting and ending alphanumeric", k, v)
	}
	return ""
}

// labelProblems checks a label set.
func labelProblems(labels map[string]string) []string {
	var out []string
	for _, k := range sortedKeys(labels) {
		if p := labelKeyProblem(k); p != "" {
			out = append(out, p)
		}
		if p := labelValueProblem(k, labels[k]); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// problem is one reason a row is invalid, tagged with the column it
// concerns so that a field the builder already failed on is not reported
// twice.
type problem struct {
	field string
	msg   string
}

// rowProblems applies every per-row rule to r.
func rowProblems(r *Row) []problem {
	var out []problem
	add := func(field, format string, args ...any) {
		out = append(out, problem{field, fmt.Sprintf(format, args...)})
	}
	if p := hostnameProblem(r.Hostname); p != "" {
		add("hostname", "%s", p)
	}
	if r.IPAddress == "" {
		add("ip_address", "ip_address is empty")
	} else if net.ParseIP(r.IPAddress) == nil {
		add("ip_address", "ip_address %q is not an IP address", r.IPAddress)
	}
	// Stricter than EKS Anywhere, which only requires a netmask to be present.
	if r.Netmask == "" {
		add("netmask", "netmask is empty (set netmask or cidr)")
	} else if ip := net.ParseIP(r.Netmask).To4(); ip == nil || !isMask(ip) {
		add("netmask", "netmask %q is not a dotted-quad netmask", r.Netmask)
	}
	if r.Gateway == "" {
		add("gateway", "gateway is empty")
	} else if net.ParseIP(r.Gateway) == nil {
		add("gateway", "gateway %q is not an IP address", r.Gateway)
	}
	if len(r.Nameservers) == 0 {
		add("nameservers", "nameservers is empty")
	}
	for _, ns := range r.Nameservers {
		// EKS Anywhere only rejects empty entries; hwagent wants addresses.
		if net.ParseIP(ns) == nil {
			add("nameservers", "nameserver %q is not an IP address", ns)
		}
	}
	if r.MAC == "" {
		add("mac", "mac is empty")
	} else if hw, err := net.ParseMAC(r.MAC); err != nil || len(hw) != 6 || r.MAC != strings.ToLower(r.MAC) {
		add("mac", "mac %q is not a lower-case 48-bit MAC address", r.MAC)
	}
	if !diskPattern().MatchString(r.Disk) {
		if r.Disk == "" {
			add("disk", "disk is empty")
		} else {
			add("disk", "disk %q does not match %s", r.Disk, diskPattern())
		}
	}
	for _, p := range labelProblems(r.Labels) {
		add("labels", "%s", p)
	}
	if r.BMCIP != "" || r.BMCUsername != "" || r.BMCPassword != "" {
		if r.BMCIP == "" {
			add("bmc_ip", "bmc_ip is empty but BMC credentials are set (BMC fields are all or none)")
		} else if net.ParseIP(r.BMCIP) == nil {
			add("bmc_ip", "bmc_ip %q is not an IP address", r.BMCIP)
		}
		if r.BMCUsername == "" {
			add("bmc_username", "missing BMC username for bmc_ip %s (credentials file or HWAGENT_BMC_USERNAME)", r.BMCIP)
		}
		if r.BMCPassword == "" {
			add("bmc_password", "missing BMC password for bmc_ip %s (credentials file or HWAGENT_BMC_PASSWORD)", r.BMCIP)
		}
	}
	if r.VLANID != "" {
		if n, err := strconv.Atoi(r.VLANID); err != nil || n < 1 || n > 4094 {
			add("vlan_id", "vlan_id %s is out of range 1-4094", r.VLANID)
		}
	}
	return out
}

// maxKernelParam bounds one kernel parameter: Linux's whole command line is
// 2048 bytes on x86 (COMMAND_LINE_SIZE), and Smee's script holds more.
const maxKernelParam = 512

// kernelParamProblem says why p cannot be one parameter of a kernel
// command line, or "": printable ASCII without spaces or quotes (Smee joins
// the parameters with spaces into an iPXE script line), not empty, at most
// maxKernelParam bytes.
func kernelParamProblem(p string) string {
	switch {
	case p == "":
		return "empty"
	case len(p) > maxKernelParam:
		return fmt.Sprintf("%d bytes, more than %d", len(p), maxKernelParam)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\'' {
			return fmt.Sprintf("%s: only printable ASCII without spaces or quotes (one parameter per entry)", clip(p))
		}
	}
	return ""
}
