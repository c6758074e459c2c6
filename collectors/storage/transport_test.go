package storage

import "testing"

func TestTransport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, devPath, want, pci string
	}{
		// testdata/qemu: Linux 6.1 under QEMU q35.
		{"sda", "devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda", "sata", "0000:00:1f.2"},
		{"sdb", "devices/pci0000:00/0000:00:06.0/virtio1/host6/target6:0:0/6:0:0:0/block/sdb", "virtio", "0000:00:06.0"},
		{"sdc", "devices/pci0000:00/0000:00:07.0/host7/port-7:0/end_device-7:0/target7:0:0/7:0:0:0/block/sdc", "sas", "0000:00:07.0"},
		{"sdd", "devices/pci0000:00/0000:00:08.0/host8/target8:2:0/8:2:0:0/block/sdd", "scsi", "0000:00:08.0"},
		{"sde", "devices/pci0000:00/0000:00:09.0/usb2/2-1/2-1:1.0/host9/target9:0:0/9:0:0:0/block/sde", "usb", "0000:00:09.0"},
		{"vda", "devices/pci0000:00/0000:00:05.0/virtio0/block/vda", "virtio", "0000:00:05.0"},
		{"nvme0n1", "devices/pci0000:00/0000:00:03.0/nvme/nvme0/nvme0n1", "nvme", "0000:00:03.0"},
		{"nvme1n1", "devices/virtual/nvme-subsystem/nvme-subsys1/nvme1n1", "nvme", ""},
		{"mmcblk0", "devices/pci0000:00/0000:00:0a.0/mmc_host/mmc0/mmc0:4567/block/mmcblk0", "mmc", "0000:00:0a.0"},
		// testdata/ghw: real machines.
		{"sda", "devices/pci0000:00/0000:00:01.3/0000:01:00.1/ata1/host0/target0:0:0/0:0:0:0/block/sda", "sata", "0000:01:00.1"},
		{"sda", "devices/pci0000:00/0000:00:1c.0/0000:03:00.0/host2/target2:2:0/2:2:0:0/block/sda", "scsi", "0000:03:00.0"},
		{"sdb", "devices/css0/0.0.0106/0.0.8000/host0/rport-0:0-0/target0:0:0/0:0:0:1074413572/block/sdb", "fc", ""},
		// Layouts of other drivers, as the kernel builds them: mpt3sas
		// behind an expander, iSCSI (iscsi_tcp registers a platform host),
		// a USB hub port chain, Xen blkfront.
		{"sdf", "devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0/host0/port-0:0/expander-0:0/port-0:0:5/end_device-0:0:5/target0:0:5/0:0:5:0/block/sdf", "sas", "0000:3b:00.0"},
		{"sdg", "devices/platform/host3/session1/target3:0:0/3:0:0:0/block/sdg", "iscsi", ""},
		{"sdh", "devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.4/1-1.4:1.0/host5/target5:0:0/5:0:0:0/block/sdh", "usb", "0000:00:14.0"},
		{"xvda", "devices/vbd-51712/block/xvda", "xen", ""},
		{"vdb", "devices/platform/vdb", "virtio", ""},
		{"foo0", "devices/platform/foo/block/foo0", "", ""},
	}
	for _, tt := range tests {
		if got := Transport(tt.name, tt.devPath); got != tt.want {
			t.Errorf("Transport(%q, %q) = %q, want %q", tt.name, tt.devPath, got, tt.want)
		}
		if got := PCIAddress(tt.devPath); got != tt.pci {
			t.Errorf("PCIAddress(%q) = %q, want %q", tt.devPath, got, tt.pci)
		}
	}
}
