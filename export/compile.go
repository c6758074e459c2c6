package export

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"
	"text/template"

	"github.com/hwagent/hwagent/export/disk"
	"github.com/hwagent/hwagent/export/plan"
)

// compiled is a Plan checked and parsed once, before any inventory is read.
type compiled struct {
	plan      plan.Plan
	prefix    netip.Prefix // zero when no CIDR
	poolStart netip.Addr   // zero when no pool
	poolEnd   netip.Addr
	netmask   string
	gateway   string
	hostname  *template.Template // never executed: renderers clone it
	// hostnameLater: the template reads .IP or .Index.
	hostnameLater bool
	// lean: the template reads nothing a lean decode skips.
	lean bool

	addresses    map[string]netip.Addr // by lower-case key
	hostnames    map[string]string
	bmcAddresses map[string]string
	disks        map[string]string
	bootMACs     map[string]string

	roles   []compiledRole
	bmcMode string
	// disk is how the install disk is chosen.
	disk *disk.Policy
}

// compile checks the plan and fills defaults. All problems are reported
// together.
func compile(p plan.Plan) (*compiled, error) {
	c := &compiled{plan: p}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if p.CIDR != "" {
		pf, err := netip.ParsePrefix(strings.TrimSpace(p.CIDR))
		if err != nil || !pf.Addr().Is4() {
			fail("cidr %q: want an IPv4 prefix such as 10.10.10.0/24", p.CIDR)
		} else {
			c.prefix = pf.Masked()
		}
	}
	c.netmask = strings.TrimSpace(p.Netmask)
	if c.netmask != "" {
		if ip := net.ParseIP(c.netmask).To4(); ip == nil || !isMask(ip) {
			fail("netmask %q: want a dotted-quad netmask such as 255.255.255.0", p.Netmask)
		} else if c.prefix.IsValid() {
			if ones, _ := net.IPMask(ip).Size(); ones != c.prefix.Bits() {
				fail("netmask %s disagrees with cidr %s", c.netmask, c.prefix)
			}
		}
	} else if c.prefix.IsValid() {
		c.netmask = net.IP(net.CIDRMask(c.prefix.Bits(), 32)).String()
	}
	for i, kp := range p.KernelParams {
		if msg := kernelParamProblem(kp); msg != "" {
			fail("kernel_params[%d]: %s", i, msg)
		}
	}
	c.gateway = strings.TrimSpace(p.Gateway)
	if c.gateway != "" {
		if a, err := netip.ParseAddr(c.gateway); err != nil || !a.Is4() {
			fail("gateway %q is not an IPv4 address", p.Gateway)
		} else if c.prefix.IsValid() && !c.prefix.Contains(a) {
			fail("gateway %s is outside cidr %s", a, c.prefix)
		}
	}
	for _, ns := range p.Nameservers {
		if _, err := netip.ParseAddr(strings.TrimSpace(ns)); err != nil {
			fail("nameserver %q is not an IP address", ns)
		}
	}
	if err := c.compilePool(); err != nil {
		errs = append(errs, err)
	}

	var err error
	c.addresses = map[string]netip.Addr{}
	for k, v := range p.Addresses {
		a, perr := netip.ParseAddr(strings.TrimSpace(v))
		switch {
		case perr != nil || !a.Is4():
			fail("addresses[%s]: %q is not an IPv4 address", k, v)
		case c.prefix.IsValid() && !c.prefix.Contains(a):
			fail("addresses[%s]: %s is outside cidr %s", k, a, c.prefix)
		default:
			c.addresses[plan.Key(k)] = a
		}
	}
	if c.hostnames, err = keyed("hostnames", p.Hostnames, nil); err != nil {
		errs = append(errs, err)
	}
	if c.bmcAddresses, err = keyed("bmc_addresses", p.BMCAddresses, func(v string) error {
		if _, err := netip.ParseAddr(v); err != nil {
			return fmt.Errorf("%q is not an IP address", v)
		}
		return nil
	}); err != nil {
		errs = append(errs, err)
	}
	if c.disks, err = keyed("disks", p.Disks, nil); err != nil {
		errs = append(errs, err)
	}
	if c.bootMACs, err = keyed("boot_macs", p.BootMACs, func(v string) error {
		if _, err := net.ParseMAC(v); err != nil {
			return fmt.Errorf("%q is not a MAC address", v)
		}
		return nil
	}); err != nil {
		errs = append(errs, err)
	}
	for k, v := range c.bootMACs {
		c.bootMACs[k] = strings.ToLower(v)
	}

	tmpl := p.HostnameTemplate
	if tmpl == "" {
		tmpl = plan.DefaultHostnameTemplate
	}
	if c.hostname, err = parseHostnameTemplate(tmpl, &TemplateData{}); err != nil {
		errs = append(errs, err)
	} else if err := checkFields(c.hostname); err != nil {
		errs = append(errs, err)
	} else {
		c.hostnameLater = needsAssignment(c.hostname)
		c.lean = leanEnough(c.hostname) && !templateIdents(c.hostname)[anyTemplate]
	}

	for _, e := range labelProblems(p.Labels) {
		fail("labels: %s", e)
	}
	for i, r := range p.Roles {
		if len(r.Labels) == 0 {
			fail("roles[%d]: no labels", i)
		}
		for _, e := range labelProblems(r.Labels) {
			fail("roles[%d].labels: %s", i, e)
		}
		if r.Count < 0 {
			fail("roles[%d]: count %d is negative", i, r.Count)
		}
		cr, err := compileRole(r)
		if err != nil {
			fail("roles[%d].match: %v", i, err)
		}
		c.roles = append(c.roles, cr)
	}

	c.bmcMode = p.BMC
	switch c.bmcMode {
	case "":
		c.bmcMode = plan.BMCAuto
	case plan.BMCAuto, plan.BMCRequired, plan.BMCOmit:
	default:
		fail("bmc %q: want auto, required or omit", p.BMC)
	}

	c.disk, err = disk.Compile(p, c.disks)
	if err != nil {
		errs = append(errs, err)
	}
	if p.Disk != "" && !diskPattern().MatchString(p.Disk) {
		fail("disk %q does not match %s", p.Disk, diskPattern())
	}

	if c.plan.Namespace == "" {
		c.plan.Namespace = plan.DefaultNamespace
	}
	if c.plan.FacilityCode == "" {
		c.plan.FacilityCode = plan.DefaultFacilityCode
	}
	if !namespacePattern().MatchString(c.plan.Namespace) {
		fail("namespace %q: want a Kubernetes namespace name (lower-case letters, digits and '-', at most 63)", p.Namespace)
	}
	switch c.plan.Names {
	case "":
		c.plan.Names = plan.NamesHostname
	case plan.NamesHostname, plan.NamesDiscovery:
	default:
		fail("names %q: want hostname or discovery", p.Names)
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return nil, fmt.Errorf("plan: %w", errors.Join(errs...))
	}
	return c, nil
}

// compilePool sets the pool from PoolStart/PoolEnd or the CIDR.
func (c *compiled) compilePool() error {
	p := c.plan
	if p.PoolStart == "" && p.PoolEnd == "" {
		if c.prefix.IsValid() && c.prefix.Bits() <= 30 {
			c.poolStart = c.prefix.Addr().Next()
			c.poolEnd = lastAddr(c.prefix).Prev()
		} else if c.prefix.IsValid() {
			c.poolStart, c.poolEnd = c.prefix.Addr(), lastAddr(c.prefix)
		}
		return nil
	}
	if p.PoolStart == "" || p.PoolEnd == "" {
		return fmt.Errorf("pool_start and pool_end go together")
	}
	s, err1 := netip.ParseAddr(strings.TrimSpace(p.PoolStart))
	e, err2 := netip.ParseAddr(strings.TrimSpace(p.PoolEnd))
	switch {
	case err1 != nil || !s.Is4():
		return fmt.Errorf("pool_start %q is not an IPv4 address", p.PoolStart)
	case err2 != nil || !e.Is4():
		return fmt.Errorf("pool_end %q is not an IPv4 address", p.PoolEnd)
	case e.Less(s):
		return fmt.Errorf("pool_end %s is before pool_start %s", e, s)
	case c.prefix.IsValid() && (!c.prefix.Contains(s) || !c.prefix.Contains(e)):
		return fmt.Errorf("pool %s-%s is not inside cidr %s", s, e, c.prefix)
	}
	c.poolStart, c.poolEnd = s, e
	return nil
}

// lastAddr is the prefix's broadcast address.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr().As4()
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	n |= (1 << (32 - p.Bits())) - 1
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// isMask reports whether ip is a contiguous netmask.
func isMask(ip net.IP) bool {
	ones, bits := net.IPMask(ip).Size()
	return bits == 32 && ones > 0
}

// keyed normalizes a per-machine map's keys and checks its values.
func keyed(name string, m map[string]string, check func(string) error) (map[string]string, error) {
	out := make(map[string]string, len(m))
	var errs []error
	for k, v := range m {
		v = strings.TrimSpace(v)
		if check != nil {
			if err := check(v); err != nil {
				errs = append(errs, fmt.Errorf("%s[%s]: %w", name, k, err))
				continue
			}
		}
		out[plan.Key(k)] = v
	}
	return out, errors.Join(errs...)
}
