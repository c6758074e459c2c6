package bmc

import (
	"testing"

	"github.com/hwagent/hwagent/ipmi/ipmitest"
)

// BenchmarkCollectTranscript is the collector's own cost (SMBIOS parse,
// node search, 22 requests decoded) against an instant fake BMC answering
// ipmi_sim's transcript; BenchmarkLabIPMISim adds the real KCS path.
func BenchmarkCollectTranscript(b *testing.B) {
	h := newHost(b)
	h.smbiosDump("SuperMicro-X9DBL.bin")
	h.node("dev/ipmi0")
	answers, err := ipmitest.LoadTranscript(simTranscript)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		env := h.env(0, opener(&ipmitest.BMC{Answers: answers}))
		if _, err := (bmcCollector{}).Collect(b.Context(), env); err != nil {
			b.Fatal(err)
		}
	}
}
