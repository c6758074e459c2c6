package lldp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/lldp/pcapfile"
)

// TestMatchesTcpdump checks that every frame of every well-formed capture
// decodes to what tcpdump printed for it, field by field.
func TestMatchesTcpdump(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// wantErr is the error every frame of the capture must return.
		wantErr error
	}{
		{name: "lldp-app-priority"},
		{name: "lldp_mudurl"},
		{name: "LLDP_and_CDP"},
		{name: "3560_CDP"},
		// A crafted capture: one 802.1 TLV and nothing else.
		{name: "lldp_8021_linkagg", wantErr: ErrMalformed},
		// Named after the loops they caused elsewhere; well-formed for LLDP.
		{name: "lldp-infinite-loop-1"},
		{name: "lldp-infinite-loop-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := parseTcpdump(t, tt.name)
			recs := readCapture(t, tt.name)
			if len(recs) != len(want) {
				t.Fatalf("%d records, tcpdump printed %d frames", len(recs), len(want))
			}
			for i, r := range recs {
				got, err := DecodeFrame(r.Data)
				if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("frame %d: error %v, want %v", i+1, err, tt.wantErr)
				}
				if got == nil {
					t.Fatalf("frame %d: no neighbour", i+1)
				}
				got.ReceivedAt = r.Time
				normalizeForTcpdump(got, want[i].ethernet)
				if diff := cmp.Diff(want[i].n, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("frame %d differs from tcpdump (-tcpdump +hwagent):\n%s", i+1, diff)
				}
			}
		})
	}
}

// normalizeForTcpdump drops from n what tcpdump does not print.
func normalizeForTcpdump(n *inventory.Neighbor, ethernet bool) {
	if !ethernet {
		n.SourceMAC = ""
	}
	if n.Protocol == "cdp" {
		// tcpdump prints the CDP TLVs hwagent keeps raw in its own way.
		n.Unknown = nil
	}
	if m := n.MACPHY; m != nil {
		// tcpdump has no name for the "other" bit.
		var caps []string
		for _, c := range m.AdvertisedCapabilities {
			if c != "other" {
				caps = append(caps, c)
			}
		}
		m.AdvertisedCapabilities = caps
	}
	for i, p := range n.ProtocolIdentities {
		// tcpdump prints a protocol identity as text up to its first NUL.
		b, _ := hex.DecodeString(p)
		if j := bytes.IndexByte(b, 0); j >= 0 {
			b = b[:j]
		}
		n.ProtocolIdentities[i] = hex.EncodeToString(b)
	}
}

// readCapture returns the records of testdata/name.pcap.
func readCapture(t testing.TB, name string) []pcapfile.Record {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".pcap"))
	if err != nil {
		t.Fatal(err)
	}
	_, recs, err := pcapfile.ReadAll(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestMalformedCaptures checks that the captures that crashed or hung other
// decoders give errors or partial neighbours.
func TestMalformedCaptures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// want is the partial neighbour of the first frame (source MACs as
		// tcpdump -e prints them).
		want *inventory.Neighbor
	}{
		{
			name: "lldp_asan",
			want: &inventory.Neighbor{
				Protocol: "lldp", SourceMAC: "c0:c1:c0:a0:20:9d",
				ChassisIDSubtype: "network_address", ChassisID: "0.0.32.0",
				MACPHY: &inventory.MACPHY{
					Advertised: 0xffff, MAUType: 0x2000,
					AdvertisedCapabilities: []string{"other", "10baseT", "10baseTFD", "100baseT4", "100baseTX", "100baseTXFD",
						"100baseT2", "100baseT2FD", "fdxPause", "fdxAPause", "fdxSPause", "fdxBPause",
						"1000baseX", "1000baseXFD", "1000baseT", "1000baseTFD"},
				},
			},
		},
		{
			name: "lldp_mgmt_addr_tlv_asan",
			want: &inventory.Neighbor{
				Protocol: "lldp", SourceMAC: "04:c1:c0:a0:9b:9d",
				Unknown: []inventory.UnknownTLV{{Type: 8, Value: "060077676d01ca0a27b4735303fe29"}},
			},
		},
		{
			name: "lldp_8023_mtu-oobr",
			want: &inventory.Neighbor{
				Protocol: "lldp", SourceMAC: "db:c1:c0:a0:9b:9d",
				Unknown: []inventory.UnknownTLV{{Type: 127, OUI: "00120f", Subtype: 4, Value: ""}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			recs := readCapture(t, tt.name)
			got, err := DecodeFrame(recs[0].Data)
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTruncated) {
				t.Errorf("error %v, want malformed or truncated", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("partial neighbour (-want +got):\n%s", diff)
			}
			for _, r := range recs[1:] {
				if n, err := DecodeFrame(r.Data); err == nil {
					t.Errorf("later record decoded without error: %+v", n)
				}
			}
		})
	}
}
