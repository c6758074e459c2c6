// Package syslog sends the agent's logs to a syslog receiver the way
// Tinkerbell's Hook sends its containers' logs: one RFC 5424 message per
// log record in one UDP datagram (RFC 5426) to the syslog_host= of the
// kernel command line, port 514 unless given. Smee, Tinkerbell's DHCP and
// iPXE server, runs such a receiver.
//
// Written here, not taken from a library: the standard library's log/syslog
// (frozen) writes the older BSD format and no maintained RFC 5424 writer is
// available to this module; the format is one line of header fields
// (Format) and the transport one datagram per message.
//
// Sending never blocks the agent and never fails a log call: a receiver
// that is down, unreachable or refusing (ICMP port unreachable) loses the
// message and nothing else.
package syslog
