package storage

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// hctl parses a scsi_device's sysname "H:C:T:L".
func hctl(name string) ([4]uint64, bool) {
	var v [4]uint64
	f := strings.Split(name, ":")
	if len(f) != 4 {
		return v, false
	}
	for i, s := range f {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

// lun formats the LUN of a scsi_device's sysnum (format_lun_number).
func (pw *pathWalk) lun(i int) string {
	lun, err := strconv.ParseUint(pw.nodes[i].sysnum(), 10, 64)
	if err != nil {
		return ""
	}
	if lun < 256 {
		return fmt.Sprintf("lun-%d", lun) // address method 0
	}
	return fmt.Sprintf("lun-0x%04x%04x00000000", lun&0xffff, (lun>>16)&0xffff)
}

// scsi is handle_scsi: only a scsi_device names anything; the transport
// is told by the device's path.
func (pw *pathWalk) scsi(i int) int {
	if pw.devtype(i) != "scsi_device" {
		return i
	}
	n := pw.nodes[i]
	if id, ok := pw.attr(n.dir, "ieee1394_id"); ok {
		pw.prepend("ieee1394-0x"+id, false)
		pw.supportedParent = true
		return pw.skip(i, "scsi")
	}
	syspath := "/sys/" + n.dir
	switch {
	case strings.Contains(syspath, "/rport-"):
		pw.supportedParent = true
		return pw.fibreChannel(i)
	case strings.Contains(syspath, "/end_device-"):
		pw.supportedParent = true
		return pw.sas(i)
	case strings.Contains(syspath, "/session"):
		pw.supportedParent = true
		return pw.iscsi(i)
	case strings.Contains(syspath, "/ata"):
		return pw.ata(i)
	case strings.Contains(syspath, "/vmbus_"):
		return pw.hyperv(i, 37)
	case strings.Contains(syspath, "/VMBUS"):
		return pw.hyperv(i, 38)
	}
	return pw.scsiDefault(i)
}

func (pw *pathWalk) fibreChannel(i int) int {
	t := pw.parentWith(i, "scsi", "scsi_target")
	if t < 0 {
		return -1
	}
	port, ok := pw.classAttr("fc_transport", pw.nodes[t].sysname(), "port_name")
	if !ok {
		return -1
	}
	pw.prepend("fc-"+port+"-"+pw.lun(i), false)
	return i
}

// sas is handle_scsi_sas: a disk on a port of one phy is named by that
// phy (and its expander's address), a wide port by the disk's address.
func (pw *pathWalk) sas(i int) int {
	t := pw.parentWith(i, "scsi", "scsi_target")
	if t < 0 || t+2 >= len(pw.nodes) {
		return -1
	}
	endDevice, port := pw.nodes[t+1].sysname(), pw.nodes[t+2].sysname()
	if !pw.r.p.Exists(pw.r.p.Sys("class", "sas_device", endDevice)) {
		return -1
	}
	phys, ok := pw.classAttr("sas_port", port, "num_phys")
	if !ok {
		return -1
	}
	if phys != "1" {
		addr, ok := pw.classAttr("sas_device", endDevice, "sas_address")
		if !ok {
			return -1
		}
		pw.prepend("sas-"+addr+"-"+pw.lun(i), false)
		return i
	}
	phy, ok := pw.classAttr("sas_device", endDevice, "phy_identifier")
	if !ok || t+3 >= len(pw.nodes) {
		return -1
	}
	expander := pw.nodes[t+3].sysname()
	if pw.r.p.Exists(pw.r.p.Sys("class", "sas_device", expander)) {
		addr, ok := pw.classAttr("sas_device", expander, "sas_address")
		if !ok {
			return -1
		}
		pw.prepend("sas-exp"+addr+"-phy"+phy+"-"+pw.lun(i), false)
		return i
	}
	pw.prepend("sas-phy"+phy+"-"+pw.lun(i), false)
	return i
}

func (pw *pathWalk) iscsi(i int) int {
	s := -1
	for j := i + 1; j < len(pw.nodes); j++ {
		if strings.HasPrefix(pw.nodes[j].sysname(), "session") {
			s = j
			break
		}
	}
	if s < 0 {
		return -1
	}
	session := pw.nodes[s]
	target, ok := pw.classAttr("iscsi_session", session.sysname(), "targetname")
	if !ok || session.sysnum() == "" {
		return -1
	}
	conn := "connection" + session.sysnum() + ":0"
	addr, ok1 := pw.classAttr("iscsi_connection", conn, "persistent_address")
	port, ok2 := pw.classAttr("iscsi_connection", conn, "persistent_port")
	if !ok1 || !ok2 {
		return -1
	}
	pw.prepend("ip-"+addr+":"+port+"-iscsi-"+target+"-"+pw.lun(i), false)
	return i
}

// ata is handle_scsi_ata: the ATA port number (ata_port's port_no, not
// the ataN name) and the target (master/slave) or, behind a port
// multiplier, the bus; ID_PATH_ATA_COMPAT is "ata-PORT".
func (pw *pathWalk) ata(i int) int {
	a, ok := hctl(pw.nodes[i].sysname())
	if !ok {
		return -1
	}
	h := pw.parentWith(i, "scsi", "scsi_host")
	if h < 0 || h+1 >= len(pw.nodes) {
		return -1
	}
	port, ok := pw.classAttr("ata_port", pw.nodes[h+1].sysname(), "port_no")
	if !ok {
		return -1
	}
	if bus := a[1]; bus != 0 {
		pw.prepend(fmt.Sprintf("ata-%s.%d.0", port, bus), false)
	} else {
		pw.prepend(fmt.Sprintf("ata-%s.%d", port, a[2]), false)
	}
	pw.ataCompat = true
	pw.compat = append(pw.compat, "ata-"+port)
	return i
}

func (pw *pathWalk) hyperv(i int, guidLen int) int {
	h := pw.parentWith(i, "scsi", "scsi_host")
	if h < 0 || h+1 >= len(pw.nodes) {
		return -1
	}
	guid, ok := pw.attr(pw.nodes[h+1].dir, "device_id")
	if !ok || len(guid) < guidLen || guid[0] != '{' || guid[guidLen-1] != '}' {
		return -1
	}
	pw.prepend("vmbus-"+strings.ReplaceAll(guid[1:guidLen-1], "-", "")+"-"+pw.lun(i), false)
	return i
}

// scsiDefault is handle_scsi_default: "scsi-H:C:T:L" with the host number
// made relative to the lowest hostN beside the disk's host (virtio-scsi,
// USB mass storage, RAID and SAS HBAs without a SAS transport).
func (pw *pathWalk) scsiDefault(i int) int {
	h := pw.parentWith(i, "scsi", "scsi_host")
	if h < 0 {
		return -1
	}
	a, ok := hctl(pw.nodes[i].sysname())
	if !ok {
		return -1
	}
	base := path.Dir(pw.nodes[h].dir)
	ents, err := pw.r.p.ReadDir(pw.r.p.Sys(base))
	if err != nil {
		return -1
	}
	low := int64(-1)
	for _, e := range ents {
		if e.Type()&(fs.ModeDir|fs.ModeSymlink) == 0 {
			continue
		}
		num, ok := strings.CutPrefix(e.Name(), "host")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(num, 10, 32)
		if err != nil {
			continue
		}
		if low < 0 || int64(n) < low {
			low = int64(n)
		}
	}
	if low < 0 {
		return h
	}
	pw.prepend(fmt.Sprintf("scsi-%d:%d:%d:%d", uint32(int64(a[0])-low), a[1], a[2], a[3]), false)
	return h
}
