package hardwarecsv

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/hwagent/hwagent/export"
)

// CSV column names.
const (
	ColHostname    = "hostname"
	ColBMCIP       = "bmc_ip"
	ColBMCUsername = "bmc_username"
	ColBMCPassword = "bmc_password"
	ColMAC         = "mac"
	ColIPAddress   = "ip_address"
	ColNetmask     = "netmask"
	ColGateway     = "gateway"
	ColNameservers = "nameservers"
	ColLabels      = "labels"
	ColDisk        = "disk"
	ColVLANID      = "vlan_id"
)

// Header is the hardware.csv header for cols, in the order of EKS
// Anywhere's own examples (hardware.example.csv and
// hardware_no_bmc.example.csv), vlan_id last.
func Header(cols export.Columns) []string {
	h := []string{ColHostname}
	if cols.BMC {
		h = append(h, ColBMCIP, ColBMCUsername, ColBMCPassword)
	}
	h = append(h, ColMAC, ColIPAddress, ColNetmask, ColGateway, ColNameservers, ColLabels, ColDisk)
	if cols.VLAN {
		h = append(h, ColVLANID)
	}
	return h
}

// Record is r's hardware.csv record for cols, in Header order.
func Record(r *export.Row, cols export.Columns) []string {
	rec := make([]string, 0, 12)
	rec = append(rec, r.Hostname)
	if cols.BMC {
		rec = append(rec, r.BMCIP, r.BMCUsername, r.BMCPassword.Reveal())
	}
	rec = append(rec, r.MAC, r.IPAddress, r.Netmask, r.Gateway, strings.Join(r.Nameservers, "|"), r.LabelString(), r.Disk)
	if cols.VLAN {
		rec = append(rec, r.VLANID)
	}
	return rec
}

// Writer writes hardware.csv: a header, then one record per machine.
// Fields are quoted only when they must be (encoding/csv rules, which EKS
// Anywhere's reader, encoding/csv underneath gocsv, undoes). It is an
// export.Writer.
type Writer struct {
	w    *csv.Writer
	cols export.Columns
}

// NewWriter writes hardware.csv to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Begin writes the header.
func (c *Writer) Begin(cols export.Columns) error {
	c.cols = cols
	return c.w.Write(Header(cols))
}

// Write writes one record.
func (c *Writer) Write(m *export.Machine) error { return c.w.Write(Record(m.Row, c.cols)) }

// End flushes.
func (c *Writer) End() error {
	c.w.Flush()
	return c.w.Error()
}

// WriteRecords writes a header and rows' records, as hardware.csv.
func WriteRecords(w io.Writer, cols export.Columns, rows ...*export.Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header(cols)); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(Record(r, cols)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
