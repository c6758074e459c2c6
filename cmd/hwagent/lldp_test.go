package main

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// capture is a real capture from the lldp package's testdata (tcpdump's
// test suite): two CDP and LLDP switches.
var capture = filepath.Join("..", "..", "lldp", "testdata", "LLDP_and_CDP.pcap")

func TestLLDPDecodeJSON(t *testing.T) {
	t.Parallel()
	out, _, err := runCLI(t, "lldp", "decode", "-o", "json", capture)
	if err != nil {
		t.Fatal(err)
	}
	var frames []decodedFrame
	if err := json.Unmarshal([]byte(out), &frames); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range frames[:4] {
		n := f.Neighbor
		got = append(got, n.Protocol+" "+n.SystemName+" "+n.PortID)
	}
	want := []string{"cdp S1 FastEthernet0/13", "cdp S2 GigabitEthernet0/13", "lldp S2.cisco.com Uplink to S1", "lldp S1.cisco.com Fa0/13"}
	if diff := cmp.Diff(want, got); diff != "" || len(frames) != 12 {
		t.Errorf("%d frames (-want +got):\n%s", len(frames), diff)
	}
}

func TestLLDPDecodeText(t *testing.T) {
	t.Parallel()
	out, _, err := runCLI(t, "lldp", "decode", filepath.Join("..", "..", "lldp", "testdata", "lldp_mgmt_addr_tlv_asan.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"frame 1  2014-05-14T18:21:27.999999Z\n",
		"  error                 management address: OID length 3 in 2 bytes: truncated; no chassis ID TLV: malformed",
		"frame 2  1970-01-08T14:02:40.999999Z  skipped: ethertype 0xb2a1: not an LLDP or CDP frame\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestLLDPDecodeNotPcap(t *testing.T) {
	t.Parallel()
	_, _, err := runCLI(t, "lldp", "decode", filepath.Join("..", "..", "lldp", "testdata", "README.md"))
	if err == nil || !strings.Contains(err.Error(), "not a valid pcap file") {
		t.Errorf("err = %v", err)
	}
}

func TestLLDPListenDisabled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mkHost(t, dir)
	_, stderr, err := runCLI(t, "lldp", "listen", "--root", dir, "--wait", "0")
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(stderr, "LLDP listening disabled") {
		t.Errorf("err = %v, stderr %q", err, stderr)
	}
}
