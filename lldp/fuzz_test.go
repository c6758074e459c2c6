package lldp

import (
	"encoding/binary"
	"encoding/json"
	"testing"
)

// addCaptureSeeds adds the payload of every fixture record that pass
// accepts (an LLDPDU or a CDP PDU) to f's corpus.
func addCaptureSeeds(f *testing.F, cdp bool) {
	for _, name := range captures(f) {
		for _, r := range readCapture(f, name) {
			if len(r.Data) < ethernetHeaderLen {
				continue
			}
			typ := binary.BigEndian.Uint16(r.Data[12:])
			switch {
			case !cdp && typ == EtherTypeLLDP:
				f.Add(r.Data[ethernetHeaderLen:])
			case cdp && typ <= 1500 && len(r.Data) > ethernetHeaderLen+len(snapCDP):
				f.Add(r.Data[ethernetHeaderLen+len(snapCDP):])
			}
		}
	}
}

// checkDecoded states what every decoder result must satisfy.
func checkDecoded(t *testing.T, n any, err error, isNil bool) {
	if isNil && err == nil {
		t.Fatal("no neighbour and no error")
	}
	if _, jerr := json.Marshal(n); jerr != nil {
		t.Fatalf("neighbour does not marshal: %v", jerr)
	}
	if err != nil && err.Error() == "" {
		t.Fatal("empty error message")
	}
}

func FuzzDecodeLLDP(f *testing.F) {
	addCaptureSeeds(f, false)
	f.Fuzz(func(t *testing.T, pdu []byte) {
		n, err := DecodeLLDP(pdu)
		checkDecoded(t, n, err, n == nil)
	})
}

func FuzzDecodeCDP(f *testing.F) {
	addCaptureSeeds(f, true)
	f.Fuzz(func(t *testing.T, pdu []byte) {
		n, err := DecodeCDP(pdu)
		checkDecoded(t, n, err, n == nil)
	})
}

func FuzzDecodeFrame(f *testing.F) {
	for _, name := range captures(f) {
		for _, r := range readCapture(f, name) {
			f.Add(r.Data)
		}
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		n, err := DecodeFrame(frame)
		checkDecoded(t, n, err, n == nil)
	})
}
