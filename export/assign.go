package export

import (
	"fmt"
	"net/netip"

	"github.com/hwagent/hwagent/export/plan"
)

// assignAddresses gives every machine its fixed address, then hands out the
// pool in export order, skipping the gateway, nameservers, fixed addresses
// and known BMC addresses.
func (x *Exporter) assignAddresses(entries []*entry) {
	c := x.c
	used := map[netip.Addr]bool{}
	mark := func(s string) {
		if a, err := netip.ParseAddr(s); err == nil {
			used[a] = true
		}
	}
	mark(c.gateway)
	for _, ns := range c.plan.Nameservers {
		mark(ns)
	}
	for _, a := range c.addresses {
		used[a] = true
	}
	var need []*entry
	for _, e := range entries {
		mark(e.row.BMCIP)
		if !e.loadOK {
			continue
		}
		a, key, conflict := plan.Lookup(c.addresses, e.keys)
		switch {
		case key != "" && conflict != "":
			e.fail("ip_address", "addresses: entries "+key+" and "+conflict+" both match")
		case key != "":
			e.ip = a.String()
		default:
			need = append(need, e)
		}
	}
	if len(need) == 0 {
		return
	}
	if !c.poolStart.IsValid() {
		for _, e := range need {
			e.fail("ip_address", "no ip address: set cidr or pool_start/pool_end, or an addresses entry")
		}
		return
	}
	next := c.poolStart
	free := func() (netip.Addr, bool) {
		for ; next.IsValid() && !c.poolEnd.Less(next); next = next.Next() {
			if !used[next] {
				a := next
				next = next.Next()
				return a, true
			}
		}
		return netip.Addr{}, false
	}
	assigned := 0
	for _, e := range need {
		a, ok := free()
		if !ok {
			e.fail("ip_address", fmt.Sprintf("address pool %s-%s is exhausted: %d machines need a pool address, %d were free", c.poolStart, c.poolEnd, len(need), assigned))
			continue
		}
		assigned++
		e.ip = a.String()
	}
}

// uniqueness checks that ip_address, mac, hostname and bmc_ip are each
// unique across rows, keeping one small key per value.
type uniqueness struct {
	seen [4]map[string]*entry
}

func newUniqueness(n int) *uniqueness {
	u := &uniqueness{}
	for i := range u.seen {
		u.seen[i] = make(map[string]*entry, n)
	}
	return u
}

var uniqueFields = [4]string{"ip_address", "mac", "hostname", "bmc_ip"}

func (u *uniqueness) check(e *entry, r *Row) {
	for i, v := range [4]string{r.IPAddress, r.MAC, r.Hostname, r.BMCIP} {
		f := uniqueFields[i]
		if v == "" || e.bad[f] {
			continue
		}
		if first, ok := u.seen[i][v]; ok {
			e.errs = append(e.errs, fmt.Sprintf("duplicate %s %s: also %s", f, v, first.name))
			first.errs = append(first.errs, fmt.Sprintf("duplicate %s %s: also %s", f, v, e.name))
			continue
		}
		u.seen[i][v] = e
	}
}
