// Command dump runs hwagent's collectors over an assembled host tree and
// writes the inventory document for the export tests' fleet, then applies
// the hand edits the fixtures cannot provide (BMC LAN, LLDP neighbours,
// NIC link state, blank disks), each given by a flag and listed in
// ../README.md. With -in it edits a document collected elsewhere instead.
//
// It runs every collector of collectors/list.go, as `hwagent dump --root`
// does: the assembled tree is a recording (hostpaths), so the network
// collector reads its sysfs alone and LLDP and the BMC are not asked, never
// this machine's links or devices. Collection time, durations and uptime
// are zeroed so the documents are reproducible.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hwagent/hwagent/collectors"
	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/report"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, " ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	root := flag.String("root", "", "host tree")
	in := flag.String("in", "", "edit this inventory document instead of collecting -root")
	blank := flag.Bool("blank", false, "the disks were wiped: record their first sectors, which a recording cannot read, as read and blank (refused for a disk with partitions)")
	bmcLAN := flag.String("bmc", "", "add a BMC LAN channel: IPV4,MAC[,VLAN]")
	var lldp, link multi
	flag.Var(&lldp, "lldp", "add an LLDP neighbour: NIC=SYSTEM_NAME,PORT_ID[,PVID] (repeatable)")
	flag.Var(&link, "link", "set a NIC's link: NIC=MAC,SPEED_MBPS (carrier up) (repeatable)")
	flag.Parse()
	if err := run(*root, *in, *bmcLAN, lldp, link, *blank, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dump:", err)
		os.Exit(1)
	}
}

func run(root, in, bmcLAN string, lldp, link []string, blank bool, w io.Writer) error {
	inv, err := load(root, in)
	if err != nil {
		return err
	}
	if blank {
		if err := blankDisks(inv); err != nil {
			return err
		}
	}
	for _, l := range link {
		name, v, _ := strings.Cut(l, "=")
		f := strings.Split(v, ",")
		nic := findNIC(inv, name)
		if nic == nil || len(f) != 2 {
			return fmt.Errorf("-link %q: no such NIC or bad value", l)
		}
		speed, err := strconv.Atoi(f[1])
		if err != nil {
			return err
		}
		nic.MAC, nic.PermanentMAC, nic.Carrier, nic.OperState, nic.AdminUp = f[0], f[0], true, "up", true
		nic.SpeedMbps, nic.Duplex = uint32(speed), "full"
	}
	for _, l := range lldp {
		name, v, _ := strings.Cut(l, "=")
		f := strings.Split(v, ",")
		nic := findNIC(inv, name)
		if nic == nil || len(f) < 2 {
			return fmt.Errorf("-lldp %q: no such NIC or bad value", l)
		}
		nb := inventory.Neighbor{
			Protocol: "lldp", ReceivedAt: inv.CollectedAt,
			ChassisIDSubtype: "local", ChassisID: f[0], SystemName: f[0],
			PortIDSubtype: "interface_name", PortID: f[1], TTLSeconds: 120,
		}
		if len(f) > 2 {
			pvid, err := strconv.Atoi(f[2])
			if err != nil {
				return err
			}
			nb.PortVLANID = uint16(pvid)
		}
		nic.Neighbors = append(nic.Neighbors, nb)
	}
	if bmcLAN != "" {
		f := strings.Split(bmcLAN, ",")
		if len(f) < 2 {
			return fmt.Errorf("-bmc %q: want IPV4,MAC[,VLAN]", bmcLAN)
		}
		if inv.BMC == nil {
			inv.BMC = &inventory.BMC{}
		}
		ch := inventory.BMCLANChannel{Channel: 1, IPSource: "static", IPv4: f[0], Netmask: "255.255.255.0", MAC: f[1], Configured: true}
		if len(f) > 2 {
			v, err := strconv.Atoi(f[2])
			if err != nil {
				return err
			}
			ch.VLANID = uint16(v)
		}
		inv.BMC.LAN = append(inv.BMC.LAN, ch)
	}
	inv.Identity = inventory.DeriveIdentity(inv)
	return report.WriteJSON(w, inv)
}

// load collects the tree at root, or reads the document in.
func load(root, in string) (*inventory.Inventory, error) {
	if in != "" {
		b, err := os.ReadFile(in)
		if err != nil {
			return nil, err
		}
		var inv inventory.Inventory
		if err := json.Unmarshal(b, &inv); err != nil {
			return nil, fmt.Errorf("%s: %w", in, err)
		}
		return &inv, nil
	}
	paths := hostpaths.New(root, nil)
	if k := paths.Kind(); k != hostpaths.Recording {
		return nil, fmt.Errorf("%s is a %s host: the fleet is made from trees on disk", root, k)
	}
	env := collector.NewEnv(paths, slog.New(slog.NewTextHandler(io.Discard, nil)), collector.Config{})
	inv := collectors.Collect(context.Background(), env, collectors.All(), "fleet", "dump")
	inv.CollectedAt = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range inv.Collectors {
		inv.Collectors[i].DurationSeconds = 0
	}
	if inv.Host != nil {
		inv.Host.UptimeSeconds = 0
	}
	return inv, nil
}

// blankDisks records every disk as read and found blank where the
// recording could not read it. A disk with partitions is not blank: the
// tree is wiped first (make-fleet.sh), so that what is in use for another
// reason (mounts, holders, the running root) stays in use.
func blankDisks(inv *inventory.Inventory) error {
	if inv.Storage == nil {
		return nil
	}
	for i := range inv.Storage.Disks {
		d := &inv.Storage.Disks[i]
		if len(d.PartitionList) > 0 || d.Partitions > 0 {
			return fmt.Errorf("-blank: %s has %d partitions: wipe the tree first", d.Name, max(d.Partitions, len(d.PartitionList)))
		}
		// What collectors/storage says of a device a recording cannot open.
		if d.SignatureError != "" && d.SignatureError != "/dev/"+d.Name+" not read: a recorded host" {
			return fmt.Errorf("-blank: %s: %s", d.Name, d.SignatureError)
		}
		d.SignatureError = ""
	}
	return nil
}

func findNIC(inv *inventory.Inventory, name string) *inventory.NIC {
	if inv.Network == nil {
		return nil
	}
	for i := range inv.Network.Interfaces {
		if inv.Network.Interfaces[i].Name == name {
			return &inv.Network.Interfaces[i]
		}
	}
	return nil
}
