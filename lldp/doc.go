// Package lldp decodes LLDP (IEEE 802.1AB) and CDP frames into
// inventory.Neighbor values and listens for them on network interfaces.
//
// The decoders are pure functions over bytes: DecodeFrame takes an Ethernet
// frame (optionally 802.1Q tagged) and dispatches to DecodeLLDP (EtherType
// 0x88cc) or DecodeCDP (802.3 + LLC/SNAP, Cisco OUI, PID 0x2000). They
// bounds-check every length, never panic, and return what they could decode
// together with an error wrapping ErrTruncated or ErrMalformed when a frame
// is damaged (a partial neighbour).
//
// The listener side is a narrow Conn interface (an AF_PACKET socket in
// production, see OpenPacket; a fake in tests) and Listen, which reads from
// one Conn per interface until its context ends and streams an Update per
// decoded frame. A Table accumulates updates into the current neighbours per
// interface, honouring TTLs and shutdown LLDPDUs.
package lldp
