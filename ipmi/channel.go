package ipmi

import "fmt"

// Channel medium types (IPMI 2.0 Table 6-3) hwagent names.
const (
	MediumIPMB       uint8 = 0x01
	MediumLAN8023    uint8 = 0x04
	MediumSerial     uint8 = 0x05
	MediumSystemIntf uint8 = 0x0C
)

// ChannelInfo is the answer to Get Channel Info (IPMI 2.0 section 22.24,
// Table 22-29).
type ChannelInfo struct {
	// Channel is the actual channel number (byte 2 bits 3:0).
	Channel uint8
	// Medium is the channel medium type (byte 3 bits 6:0); MediumLAN8023
	// for an IPMI-over-LAN channel.
	Medium uint8
	// Protocol is the channel protocol type (byte 4 bits 4:0).
	Protocol uint8
	// SessionSupport is byte 5 bits 7:6 (0 session-less, 1 single-session,
	// 2 multi-session, 3 session-based); ActiveSessions bits 5:0.
	SessionSupport, ActiveSessions uint8
	// VendorID is the IANA number of the protocol's owner (bytes 6-8), 7154
	// (IPMI) for standard protocols.
	VendorID uint32
	// AuxInfo is bytes 9-10.
	AuxInfo [2]byte
}

// DecodeChannelInfo decodes a Get Channel Info response (completion code
// first). It needs the channel, medium and protocol bytes; the session,
// vendor and auxiliary bytes are read when all nine data bytes are present.
func DecodeChannelInfo(resp []byte) (ChannelInfo, error) {
	b, err := checkResponse(NetFnApp, CmdGetChannelInfo, resp, 3)
	if err != nil {
		return ChannelInfo{}, fmt.Errorf("get channel info: %w", err)
	}
	ci := ChannelInfo{
		Channel:  b[0] & 0x0F,
		Medium:   b[1] & 0x7F,
		Protocol: b[2] & 0x1F,
	}
	if len(b) >= 9 {
		ci.SessionSupport = b[3] >> 6
		ci.ActiveSessions = b[3] & 0x3F
		ci.VendorID = uint32(b[4]) | uint32(b[5])<<8 | uint32(b[6])<<16
		ci.AuxInfo = [2]byte{b[7], b[8]}
	}
	return ci, nil
}
