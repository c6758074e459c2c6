package syslog

import (
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"
)

// Facility is the syslog facility of every message: daemon (3), as Docker's
// syslog log driver uses for Hook's containers.
const Facility = 3

// MaxMessage bounds a datagram: RFC 5426 section 3.2 has every receiver
// accept 480 octets and recommends 2048; longer messages are cut at a
// character boundary.
const MaxMessage = 2048

// Header is the RFC 5424 header of one message.
type Header struct {
	Severity int // 0 (emergency) to 7 (debug)
	Time     time.Time
	Hostname string
	AppName  string
	ProcID   string
	MsgID    string
}

// Severity maps a slog level to a syslog severity: debug 7, info 6,
// warn 4, error 3 (between levels, the more severe).
func Severity(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return 3
	case l >= slog.LevelWarn:
		return 4
	case l >= slog.LevelInfo:
		return 6
	}
	return 7
}

// Append appends one RFC 5424 message (section 6) to b and returns it:
//
//	<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG
//
// with no structured data and MSG as given (octets, no BOM). Header fields
// keep only printable US-ASCII (33-126) and are cut to their maximum
// lengths (255, 48, 128, 32); an empty field is "-". The whole message is
// cut to MaxMessage bytes.
func Append(b []byte, h Header, msg string) []byte {
	start := len(b)
	b = append(b, '<')
	b = strconv.AppendInt(b, int64(Facility*8+h.Severity&7), 10)
	b = append(b, ">1 "...)
	if h.Time.IsZero() {
		b = append(b, '-')
	} else {
		// TIME-SECFRAC has at most 6 digits (section 6.2.3).
		b = h.Time.AppendFormat(b, "2006-01-02T15:04:05.000000Z07:00")
	}
	b = append(b, ' ')
	b = appendField(b, h.Hostname, 255)
	b = append(b, ' ')
	b = appendField(b, h.AppName, 48)
	b = append(b, ' ')
	b = appendField(b, h.ProcID, 128)
	b = append(b, ' ')
	b = appendField(b, h.MsgID, 32)
	b = append(b, " - "...)
	room := MaxMessage - (len(b) - start)
	if room < 0 {
		room = 0
	}
	if len(msg) > room {
		msg = cutRune(msg[:room])
	}
	return append(b, msg...)
}

// appendField appends s with only printable US-ASCII, at most max bytes,
// or "-" (the NILVALUE) when nothing is left.
func appendField(b []byte, s string, max int) []byte {
	n := 0
	for i := 0; i < len(s) && n < max; i++ {
		if c := s[i]; c >= 33 && c <= 126 {
			b = append(b, c)
			n++
		}
	}
	if n == 0 {
		b = append(b, '-')
	}
	return b
}

// cutRune drops a character cut in two at the end of s.
func cutRune(s string) string {
	for j := len(s) - 1; j >= 0 && j >= len(s)-utf8.UTFMax; j-- {
		if utf8.RuneStart(s[j]) {
			if !utf8.FullRuneInString(s[j:]) {
				return s[:j]
			}
			break
		}
	}
	return s
}
