package ipmi_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/ipmi/ipmitest"
)

var capture = flag.Bool("capture", false, "rewrite testdata/ipmi_sim from a live ipmi_sim (needs openipmi and ipmitool)")

const simDir = "testdata/ipmi_sim"

// transcriptRequests are the requests hwagent sends, as captured from
// ipmi_sim: identity, channels 1-11 and 15, the LAN parameters of
// channel 1, and the user table's first slots with channel 1's access.
func transcriptRequests() [][]byte {
	reqs := [][]byte{
		{ipmi.NetFnApp, ipmi.CmdGetDeviceID},
		{ipmi.NetFnApp, ipmi.CmdGetDeviceGUID},
		{ipmi.NetFnApp, ipmi.CmdGetSystemGUID},
	}
	for ch := byte(1); ch <= ipmi.MaxLANChannel; ch++ {
		reqs = append(reqs, []byte{ipmi.NetFnApp, ipmi.CmdGetChannelInfo, ch})
	}
	reqs = append(reqs, []byte{ipmi.NetFnApp, ipmi.CmdGetChannelInfo, 15})
	for _, p := range []byte{3, 4, 5, 6, 12, 13, 20, 50, 51, 55, 56, 59} {
		reqs = append(reqs, []byte{ipmi.NetFnTransport, ipmi.CmdGetLANConfigParams, 1, p, 0, 0})
	}
	// The user table as hwagent bmc credentials reads it: slots 1-3 of
	// channel 1 (the anonymous slot, the admin, a free one) and the
	// channel's access settings.
	for u := byte(1); u <= 3; u++ {
		reqs = append(reqs, append([]byte{ipmi.NetFnApp, ipmi.CmdGetUserAccess}, ipmi.EncodeGetUserAccess(1, u)...))
		reqs = append(reqs, append([]byte{ipmi.NetFnApp, ipmi.CmdGetUserName}, ipmi.EncodeGetUserName(u)...))
	}
	for _, which := range []byte{ipmi.ChannelNonVolatile, ipmi.ChannelVolatile} {
		reqs = append(reqs, append([]byte{ipmi.NetFnApp, ipmi.CmdGetChannelAccess}, ipmi.EncodeGetChannelAccess(1, which)...))
	}
	return reqs
}

var rspRE = regexp.MustCompile(`rsp=0x([0-9a-fA-F]{2})`)

// raw sends one request with `ipmitool raw` and returns the response with
// its completion code first.
func raw(ctx context.Context, sim *lab.IPMISim, req []byte) ([]byte, error) {
	args := []string{"raw"}
	for _, b := range req {
		args = append(args, fmt.Sprintf("0x%02x", b))
	}
	out, err := sim.Ipmitool(ctx, args...)
	if err != nil {
		m := rspRE.FindStringSubmatch(err.Error())
		if m == nil {
			return nil, err
		}
		cc, _ := strconv.ParseUint(m[1], 16, 8)
		return []byte{byte(cc)}, nil
	}
	resp := []byte{0}
	for _, f := range strings.Fields(out) {
		b, err := strconv.ParseUint(f, 16, 8)
		if err != nil {
			return nil, fmt.Errorf("ipmitool raw printed %q", out)
		}
		resp = append(resp, byte(b))
	}
	return resp, nil
}

func hexBytes(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, " ")
}

// TestIPMISimTranscript asks a live ipmi_sim, configured as lab.TestBMC
// with VLAN lab.TestBMCVLAN, every request of the transcript through
// ipmitool and checks that it still answers what testdata/ipmi_sim holds.
// With -capture it rewrites the transcript and ipmitool's own decoding of
// the same BMC (mc info, mc guid, lan print 1), the oracle of the decoder
// tests.
func TestIPMISimTranscript(t *testing.T) {
	lab.Need(t, lab.IPMISimulator)
	ctx := t.Context()
	sim := lab.StartIPMISim(t, lab.TestBMC())
	if err := sim.SetVLAN(ctx, lab.TestBMCVLAN); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("# OpenIPMI ipmi_sim (Debian openipmi 2.0.33) configured as internal/lab.TestBMC with\n")
	b.WriteString("# VLAN 20, asked through `ipmitool -I lan raw`. REQUEST (netfn cmd data) : RESPONSE\n")
	b.WriteString("# (completion code first). Rewrite: go test ./ipmi -run TestIPMISimTranscript -capture\n")
	got := map[string][]byte{}
	for _, req := range transcriptRequests() {
		resp, err := raw(ctx, sim, req)
		if err != nil {
			t.Fatalf("%s: %v\n%s", hexBytes(req), err, sim.Log())
		}
		got[ipmitest.Key(req[0], req[1], req[2:])] = resp
		fmt.Fprintf(&b, "%s : %s\n", hexBytes(req), hexBytes(resp))
	}
	if *capture {
		if err := os.WriteFile(filepath.Join(simDir, "transcript.txt"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		for name, args := range map[string][]string{
			"mc-info.txt":     {"mc", "info"},
			"mc-guid.txt":     {"mc", "guid"},
			"lan-print-1.txt": {"lan", "print", "1"},
		} {
			out, err := sim.Ipmitool(ctx, args...)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(simDir, name), []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	want, err := ipmitest.LoadTranscript(filepath.Join(simDir, "transcript.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ipmi_sim answers differ from the transcript (-want +got):\n%s", diff)
	}
}
