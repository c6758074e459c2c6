// Package ipmi talks to the BMC over the in-band IPMI system interface
// (/dev/ipmi0, Linux's ipmi_devintf) and decodes its answers.
//
// The package has three layers:
//
//   - Device is the transport: send one request, get the response bytes with
//     the completion code first. Open returns the Linux system interface,
//     which speaks the ipmi_devintf ioctl ABI directly (no ipmitool, no
//     fixed receive timeout): every request carries a message ID, the reply
//     is awaited with poll(2) until the context's deadline, and replies with
//     another ID (answers to requests that timed out earlier) are dropped.
//     One request is outstanding per Device at a time. Tests use fakes.
//   - Decoders (DecodeDeviceID, DecodeGUID, DecodeChannelInfo, the
//     DecodeLAN* functions) are pure functions over a response, completion
//     code included. A non-zero completion code is a *CompletionError; a
//     response too short or malformed is an error wrapping ErrMalformed.
//     They never panic.
//   - Client sends the commands hwagent needs, each under its own timeout,
//     and reads whole LAN channel configurations.
//
// References: IPMI v2.0 rev. 1.1 (section 20 for the App commands, 22.24
// Get Channel Info, 23.2 Get LAN Configuration Parameters with Table 23-4)
// and include/uapi/linux/ipmi.h for the ioctl structures.
package ipmi
