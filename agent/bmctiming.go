package agent

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hwagent/hwagent/ipmi"
)

// slowestKept is how many of the slowest BMC commands the provisioning's
// log line names.
const slowestKept = 3

// timedDevice counts the requests provisioning sends to the BMC and the
// time their answers took, and keeps the slowest few, so that the log line
// says where the time went (a BMC slow on every command, one command
// waiting for a timeout, many commands) without a debugger on the machine.
// Its memory is fixed whatever the number of commands.
type timedDevice struct {
	ipmi.Device
	count   int
	total   time.Duration
	slowest [slowestKept]timedCommand // slowest first; took 0: none
}

// timedCommand is one request and how long its answer took.
type timedCommand struct {
	netfn, cmd uint8
	arg        []byte // what the request is about: a channel, a user ID, both
	took       time.Duration
	failed     bool // no answer (a completion code is an answer)
}

func (d *timedDevice) Send(ctx context.Context, netfn, cmd uint8, data []byte) ([]byte, error) {
	start := time.Now()
	resp, err := d.Device.Send(ctx, netfn, cmd, data)
	c := timedCommand{netfn: netfn, cmd: cmd, took: time.Since(start), failed: err != nil}
	d.count++
	d.total += c.took
	for i := range d.slowest {
		if c.took > d.slowest[i].took {
			c.arg = append([]byte(nil), data[:min(argBytes(cmd), len(data))]...)
			copy(d.slowest[i+1:], d.slowest[i:])
			d.slowest[i] = c
			break
		}
	}
	return resp, err
}

// commandNames are the commands provisioning sends, by netfn<<8|cmd.
var commandNames = map[uint16]string{
	uint16(ipmi.NetFnApp)<<8 | uint16(ipmi.CmdGetChannelInfo):   "get channel info",
	uint16(ipmi.NetFnApp)<<8 | uint16(ipmi.CmdGetChannelAccess): "get channel access",
	uint16(ipmi.NetFnApp)<<8 | uint16(ipmi.CmdSetChannelAccess): "set channel access",
	uint16(ipmi.NetFnApp)<<8 | uint16(ipmi.CmdGetUserAccess):    "get user access",
	uint16(ipmi.NetFnApp)<<8 | uint16(ipmi.CmdSetUserAccess):    "set user access",
	uint16(ipmi.NetFnApp)<<8 | uint16(ipmi.CmdGetUserName):      "get user name",
	uint16(ipmi.NetFnApp)<<8 | uint16(ipmi.CmdSetUserName):      "set user name",
	uint16(ipmi.NetFnApp)<<8 | uint16(ipmi.CmdSetUserPassword):  "set user password",
}

// argBytes is how many of a request's first bytes say what it is about:
// the channel and the user ID of the user access commands, the channel or
// the user ID of the others (never a name or a password, further in).
func argBytes(cmd uint8) int {
	if cmd == ipmi.CmdGetUserAccess || cmd == ipmi.CmdSetUserAccess {
		return 2
	}
	return 1
}

// String is the command in words, what it is about in hex, and its time:
// "get user name 1c 7.5ms".
func (c timedCommand) String() string {
	name, ok := commandNames[uint16(c.netfn)<<8|uint16(c.cmd)]
	if !ok {
		name = fmt.Sprintf("netfn 0x%02x cmd 0x%02x", c.netfn, c.cmd)
	}
	s := fmt.Sprintf("%s %x %.1fms", name, c.arg, float64(c.took.Microseconds())/1000)
	if c.failed {
		s += " (no answer)"
	}
	return s
}

// slowestCommands names the slowest commands, slowest first.
func (d *timedDevice) slowestCommands() string {
	var words []string
	for _, c := range d.slowest {
		if c.took > 0 {
			words = append(words, c.String())
		}
	}
	return strings.Join(words, ", ")
}
