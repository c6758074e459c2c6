// Package pcapfile reads classic libpcap capture files (the format tcpdump
// -w writes): both byte orders, microsecond and nanosecond timestamps. It is
// a pure reader over an io.Reader with bounded allocations, for decoding
// captures operators send. pcapng is not supported.
package pcapfile
