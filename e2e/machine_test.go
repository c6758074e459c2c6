//go:build e2e

package e2e

import (
	"fmt"
	"strings"

	"github.com/hwagent/hwagent/internal/lab"
)

// fakeServer is the "bare-metal server" the test boots: every value the
// guest's firmware, NICs, BMC and switch port report, chosen here and
// expected back from hwagent unchanged.
type fakeServer struct {
	BIOSVendor, BIOSVersion, BIOSDate string
	Manufacturer, Product, Serial     string
	// UUID is the SMBIOS system UUID as dmidecode (and hwagent) print it.
	UUID, SKU, Family                            string
	BoardManufacturer, BoardProduct, BoardSerial string
	ChassisManufacturer, ChassisSerial, AssetTag string
	CPUManufacturer, CPUVersion                  string
	DIMMManufacturer, DIMMSerial, DIMMPart       string
	DIMMSpeedMTs                                 int
	MemoryMiB                                    int
	DiskSerial                                   string
	DiskBytes                                    uint64
	BootMAC, SecondMAC                           string
	BootDriver, SecondDriver                     string
	BMCManufacturerID                            uint32
	BMCProductID                                 uint16
	BMC                                          lab.IPMISimLAN
	Switch                                       lab.Switch
	TapAddr, GuestAddr, PrefixLen, ServerPort    string
	Hostname                                     string
}

// srv01 returns the machine both tests boot.
func srv01() fakeServer {
	return fakeServer{
		BIOSVendor: "AcmeBIOS", BIOSVersion: "2.4.1", BIOSDate: "03/14/2024",
		Manufacturer: "Acme Computing", Product: "RackServer X1", Serial: "SN-E2E-0001",
		UUID: "c0ffee00-1234-5678-9abc-def012345678", SKU: "SKU-X1", Family: "X Family",
		BoardManufacturer: "AcmeBoards", BoardProduct: "MB-X1", BoardSerial: "BSN-E2E-0002",
		ChassisManufacturer: "AcmeChassis", ChassisSerial: "CSN-E2E-0003", AssetTag: "ASSET-E2E-42",
		CPUManufacturer: "AcmeSilicon", CPUVersion: "Acme X9 @ 2.0GHz",
		DIMMManufacturer: "AcmeRAM", DIMMSerial: "DIMM-E2E-0004", DIMMPart: "ACM-16G-3200", DIMMSpeedMTs: 3200,
		MemoryMiB:  512,
		DiskSerial: "DISK-E2E-0005", DiskBytes: 32 << 30,
		BootMAC: "52:54:00:e2:e0:01", SecondMAC: "52:54:00:e2:e0:02",
		BootDriver: "virtio_net", SecondDriver: "e1000",
		BMCManufacturerID: 10876, BMCProductID: 0x1b2c,
		BMC: lab.IPMISimLAN{
			IP: "10.99.0.42", Netmask: "255.255.255.0", Gateway: "10.99.0.1", Source: "static",
			MAC: "0c:c4:7a:e2:e0:42", GatewayMAC: "0c:c4:7a:00:00:01",
		},
		Switch: lab.Switch{
			SystemName: "tor01.e2e.example", PortID: "Ethernet1/7",
			PortDescription: "Ethernet1/7 to srv01 eth0", PVID: 100, VLANName: "vlan100",
			ManagementIP: "10.77.0.1",
		},
		TapAddr: "10.77.0.1", GuestAddr: "10.77.0.10", PrefixLen: "24", ServerPort: "8080",
		Hostname: "srv01",
	}
}

// ServerURL is where the guest finds `hwagent serve`.
func (m fakeServer) ServerURL() string {
	return "http://" + m.TapAddr + ":" + m.ServerPort
}

// SMBIOS are QEMU's -smbios records of the machine: BIOS, system,
// baseboard, chassis, processor sockets and memory devices.
func (m fakeServer) SMBIOS() []string {
	return []string{
		fmt.Sprintf("type=0,vendor=%s,version=%s,date=%s", m.BIOSVendor, m.BIOSVersion, m.BIOSDate),
		fmt.Sprintf("type=1,manufacturer=%s,product=%s,version=1.0,serial=%s,uuid=%s,sku=%s,family=%s",
			m.Manufacturer, m.Product, m.Serial, m.UUID, m.SKU, m.Family),
		fmt.Sprintf("type=2,manufacturer=%s,product=%s,version=A01,serial=%s", m.BoardManufacturer, m.BoardProduct, m.BoardSerial),
		fmt.Sprintf("type=3,manufacturer=%s,serial=%s,asset=%s", m.ChassisManufacturer, m.ChassisSerial, m.AssetTag),
		fmt.Sprintf("type=4,sock_pfx=CPU,manufacturer=%s,version=%s,max-speed=2000,current-speed=2000", m.CPUManufacturer, m.CPUVersion),
		fmt.Sprintf("type=17,loc_pfx=DIMM,bank=BANK,manufacturer=%s,serial=%s,part=%s,speed=%d", m.DIMMManufacturer, m.DIMMSerial, m.DIMMPart, m.DIMMSpeedMTs),
	}
}

// KernelIP is the kernel's ip= parameter for the boot NIC (client IP,
// server, gateway, netmask, hostname, device, autoconf): hwagent reads it
// to find the boot interface; the guest's /init applies it.
func (m fakeServer) KernelIP() string {
	return fmt.Sprintf("ip=%s::%s:255.255.255.0:%s:eth0:off", m.GuestAddr, m.TapAddr, m.Hostname)
}

// Cmdline is the kernel command line the way a provisioning system's iPXE
// script writes it: the boot NIC and hwagent's configuration.
func (m fakeServer) Cmdline(token string, extra ...string) string {
	params := []string{
		m.KernelIP(),
		"hwagent.server=" + m.ServerURL(),
		"hwagent.token=" + token,
		// A lab of one machine: no spreading of a rack's first requests.
		"hwagent.start-jitter=0s",
		// The server is on the boot NIC's network; retry fast when it is
		// not up yet.
		"hwagent.backoff-base=250ms", "hwagent.backoff-cap=1s",
		"hwagent.lldp-wait=5s",
		"hwagent.log-format=json",
	}
	return strings.Join(append(params, extra...), " ")
}
