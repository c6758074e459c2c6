package agent

import (
	"github.com/hwagent/hwagent/internal/cmdline"
	"github.com/hwagent/hwagent/inventory"
)

// redact returns inv with the values of cmdline.SecretParams removed from the
// kernel command line; inv itself is not modified.
func redact(inv *inventory.Inventory) *inventory.Inventory {
	if inv == nil || inv.Host == nil {
		return inv
	}
	line := cmdline.Redact(inv.Host.KernelCommandLine, cmdline.SecretParams)
	if line == inv.Host.KernelCommandLine {
		return inv
	}
	c := *inv
	h := *inv.Host
	h.KernelCommandLine = line
	c.Host = &h
	return &c
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
