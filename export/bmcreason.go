package export

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/hwagent/hwagent/inventory"
)

// noBMCAddress says why an inventory gives no BMC address, telling a
// machine without a BMC from a BMC that was never asked or could not
// answer: "bmc required" on a fleet mixes all three, and only the last two
// are fixed on the machine's side.
func noBMCAddress(inv *inventory.Inventory) string {
	st := inv.Collector("bmc")
	b := inv.BMC
	switch {
	case st == nil:
		return "the BMC was never queried (the inventory has no bmc collector status: it ran with --collectors or --disable leaving it out)"
	case st.Status == inventory.StatusNotApplicable:
		return fmt.Sprintf("this machine has no BMC (%s)", quoteReason(st.Error))
	case st.Status == inventory.StatusFailed:
		return fmt.Sprintf("the BMC could not be queried in band: %s", quoteReason(st.Error))
	case b == nil || b.DevicePath == "" || (b.DeviceID == 0 && b.ManufacturerID == 0 && len(b.LAN) == 0):
		why := "no IPMI device to ask it through"
		if len(st.Warnings) > 0 {
			why = st.Warnings[0]
		}
		return fmt.Sprintf("the BMC was never queried: %s", quoteReason(why))
	case b.LANError != "":
		return fmt.Sprintf("the BMC did not give its LAN configuration: %s", quoteReason(b.LANError))
	case len(b.LAN) == 0:
		return "the BMC has no LAN channel"
	}
	return "the BMC reported no configured LAN channel (address 0.0.0.0 on every channel)"
}

// quoteReason quotes a collector's message for an export error: at most
// 160 bytes (cut at a character boundary), escapes for anything a terminal
// would act on. Inventories come from machines and are not trusted.
func quoteReason(s string) string {
	const max = 160
	if len(s) <= max {
		return strconv.QuoteToGraphic(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.QuoteToGraphic(s[:cut]) + "..."
}
