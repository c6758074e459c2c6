package pcapfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestFixtures reads the real captures in ../testdata and checks what
// tcpdump printed for them: record count, first timestamp, link type.
func TestFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		records   int
		first     time.Time
		firstLen  int
		firstOrig uint32
	}{
		{"lldp-app-priority.pcap", 1, time.Date(2019, 4, 11, 23, 41, 11, 292336000, time.UTC), 175, 175},
		{"lldp_mudurl.pcap", 2, time.Date(2016, 12, 30, 13, 30, 12, 871661000, time.UTC), 302, 302},
		{"3560_CDP.pcap", 3, time.Date(2008, 6, 18, 11, 46, 8, 367761000, time.UTC), 400, 400},
		// Snap length 20: the record is cut, the wire length is 262144.
		{"lldp_8023_mtu-oobr.pcap", 1, time.Date(1972, 1, 29, 12, 44, 48, 999999000, time.UTC), 20, 262144},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join("..", "testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			h, recs, err := ReadAll(f)
			if err != nil {
				t.Fatal(err)
			}
			if h.LinkType != LinkTypeEthernet || h.VersionMajor != 2 || h.VersionMinor != 4 || h.Nanosecond {
				t.Errorf("header %+v", h)
			}
			if len(recs) != tt.records {
				t.Fatalf("%d records, want %d", len(recs), tt.records)
			}
			r := recs[0]
			if !r.Time.Equal(tt.first) || len(r.Data) != tt.firstLen || r.OrigLen != tt.firstOrig {
				t.Errorf("first record at %v, %d bytes of %d; want %v, %d of %d", r.Time, len(r.Data), r.OrigLen, tt.first, tt.firstLen, tt.firstOrig)
			}
		})
	}
}

// capture builds a pcap file with one record in the given byte order and
// resolution.
func capture(order binary.ByteOrder, nano bool, data []byte) []byte {
	var b bytes.Buffer
	magic := uint32(magicMicros)
	if nano {
		magic = magicNanos
	}
	for _, v := range []any{magic, uint16(2), uint16(4), int32(0), uint32(0), uint32(65535), uint32(1),
		uint32(1700000000), uint32(123456), uint32(len(data)), uint32(len(data) + 4)} {
		_ = binary.Write(&b, order, v)
	}
	b.Write(data)
	return b.Bytes()
}

func TestByteOrderAndResolution(t *testing.T) {
	t.Parallel()
	data := []byte{1, 2, 3}
	tests := []struct {
		name  string
		order binary.ByteOrder
		nano  bool
		want  time.Time
	}{
		{"little-endian micro", binary.LittleEndian, false, time.Unix(1700000000, 123456000).UTC()},
		{"big-endian micro", binary.BigEndian, false, time.Unix(1700000000, 123456000).UTC()},
		{"little-endian nano", binary.LittleEndian, true, time.Unix(1700000000, 123456).UTC()},
		{"big-endian nano", binary.BigEndian, true, time.Unix(1700000000, 123456).UTC()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, recs, err := ReadAll(bytes.NewReader(capture(tt.order, tt.nano, data)))
			if err != nil {
				t.Fatal(err)
			}
			want := []Record{{Time: tt.want, Data: data, OrigLen: 7}}
			if diff := cmp.Diff(want, recs); diff != "" || h.Nanosecond != tt.nano || h.SnapLen != 65535 {
				t.Errorf("records (-want +got):\n%s\nheader %+v", diff, h)
			}
		})
	}
}

func TestCorrupt(t *testing.T) {
	t.Parallel()
	good := capture(binary.LittleEndian, false, []byte{1, 2, 3, 4})
	huge := bytes.Clone(good)
	binary.LittleEndian.PutUint32(huge[24+8:], MaxRecordLen+1)
	tests := []struct {
		name    string
		data    []byte
		records int
		want    error
	}{
		{"empty", nil, 0, ErrFormat},
		{"pcapng", []byte{0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, ErrFormat},
		{"header only", good[:24], 0, nil},
		{"cut record header", good[:30], 0, io.ErrUnexpectedEOF},
		{"cut record data", good[:len(good)-1], 0, io.ErrUnexpectedEOF},
		{"oversized record", huge, 0, ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, recs, err := ReadAll(bytes.NewReader(tt.data))
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if len(recs) != tt.records {
				t.Errorf("%d records, want %d", len(recs), tt.records)
			}
		})
	}
}

func FuzzPcap(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*.pcap"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(capture(binary.BigEndian, true, []byte{0xff}))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, recs, err := ReadAll(bytes.NewReader(data))
		total := 0
		for _, r := range recs {
			if len(r.Data) > MaxRecordLen {
				t.Fatalf("record of %d bytes", len(r.Data))
			}
			total += 16 + len(r.Data)
		}
		if err == nil && total+24 != len(data) {
			t.Fatalf("read %d of %d bytes without error", total+24, len(data))
		}
	})
}
