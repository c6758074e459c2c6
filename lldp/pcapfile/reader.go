package pcapfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Link types (https://www.tcpdump.org/linktypes.html).
const (
	LinkTypeEthernet = 1
)

// Magic numbers of the file header, as read big-endian.
const (
	magicMicros = 0xa1b2c3d4
	magicNanos  = 0xa1b23c4d
)

// MaxRecordLen bounds one record's captured length (libpcap's
// MAXIMUM_SNAPLEN); longer records are corrupt.
const MaxRecordLen = 262144

// ErrFormat marks a file that is not a classic pcap file or is corrupt.
var ErrFormat = errors.New("not a valid pcap file")

// Header is the pcap global header.
type Header struct {
	// VersionMajor and VersionMinor are normally 2 and 4.
	VersionMajor, VersionMinor uint16
	// SnapLen is the capture's maximum record length.
	SnapLen uint32
	// LinkType says what each record starts with (LinkTypeEthernet).
	LinkType uint32
	// Nanosecond is true for nanosecond-resolution files.
	Nanosecond bool
}

// Record is one captured packet.
type Record struct {
	// Time is the capture timestamp (UTC).
	Time time.Time
	// Data is the captured bytes, at most the file's snap length.
	Data []byte
	// OrigLen is the packet's length on the wire.
	OrigLen uint32
}

// Reader reads records from a pcap file.
type Reader struct {
	r      io.Reader
	order  binary.ByteOrder
	Header Header
	hdr    [16]byte
}

// NewReader reads the global header from r.
func NewReader(r io.Reader) (*Reader, error) {
	var h [24]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, fmt.Errorf("pcap header: %w: %w", ErrFormat, err)
	}
	pr := &Reader{r: r}
	switch {
	case binary.BigEndian.Uint32(h[:]) == magicMicros:
		pr.order = binary.BigEndian
	case binary.LittleEndian.Uint32(h[:]) == magicMicros:
		pr.order = binary.LittleEndian
	case binary.BigEndian.Uint32(h[:]) == magicNanos:
		pr.order, pr.Header.Nanosecond = binary.BigEndian, true
	case binary.LittleEndian.Uint32(h[:]) == magicNanos:
		pr.order, pr.Header.Nanosecond = binary.LittleEndian, true
	default:
		return nil, fmt.Errorf("magic %x: %w", h[:4], ErrFormat)
	}
	o := pr.order
	pr.Header.VersionMajor = o.Uint16(h[4:])
	pr.Header.VersionMinor = o.Uint16(h[6:])
	pr.Header.SnapLen = o.Uint32(h[16:])
	// The top bits of the field carry FCS information (libpcap's
	// LT_LINKTYPE keeps the low 26 bits).
	pr.Header.LinkType = o.Uint32(h[20:]) & 0x03ffffff
	return pr, nil
}

// Next returns the next record, or io.EOF at the end of the file. A record
// cut short by the end of the file returns io.ErrUnexpectedEOF. The record's
// Data is freshly allocated.
func (pr *Reader) Next() (Record, error) {
	if _, err := io.ReadFull(pr.r, pr.hdr[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Record{}, fmt.Errorf("record header: %w", err)
		}
		return Record{}, err
	}
	o := pr.order
	sec, frac := o.Uint32(pr.hdr[0:]), o.Uint32(pr.hdr[4:])
	incl, orig := o.Uint32(pr.hdr[8:]), o.Uint32(pr.hdr[12:])
	if incl > MaxRecordLen {
		return Record{}, fmt.Errorf("record of %d bytes: %w", incl, ErrFormat)
	}
	data := make([]byte, incl)
	if _, err := io.ReadFull(pr.r, data); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Record{}, fmt.Errorf("record data: %w", err)
	}
	nsec := int64(frac) * 1000
	if pr.Header.Nanosecond {
		nsec = int64(frac)
	}
	return Record{Time: time.Unix(int64(sec), nsec).UTC(), Data: data, OrigLen: orig}, nil
}

// ReadAll reads every record of a pcap file held in memory. It returns the
// records read before any error.
func ReadAll(r io.Reader) (Header, []Record, error) {
	pr, err := NewReader(r)
	if err != nil {
		return Header{}, nil, err
	}
	var out []Record
	for {
		rec, err := pr.Next()
		if errors.Is(err, io.EOF) {
			return pr.Header, out, nil
		}
		if err != nil {
			return pr.Header, out, err
		}
		out = append(out, rec)
	}
}
