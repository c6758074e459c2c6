package testinv

import (
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hwagent/hwagent/inventory"
)

//go:embed data/pci-dell-poweredge-r610.json
var pciJSON []byte

//go:embed data/cpu-dual-xeon-l5640.json
var cpuJSON []byte

// Options vary a generated machine, the way hardware changes between two
// boots of the same machine.
type Options struct {
	// RemoveDIMM removes the module in this slot ("DIMM_A3").
	RemoveDIMM string
	// BIOSVersion replaces the BIOS version ("6.4.0").
	BIOSVersion string
	// Switch moves eno1 to another switch and port ("leaf-r99-a", "Ethernet7").
	Switch, SwitchPort string
	// NoNeighbours leaves every NIC without LLDP neighbours (an early
	// collection, before the switches were heard).
	NoNeighbours bool
}

// Machine returns the inventory of machine i of the fleet.
func Machine(i int) *inventory.Inventory { return MachineWith(i, Options{}) }

// MachineWith returns machine i changed as opts says.
func MachineWith(i int, opts Options) *inventory.Inventory {
	h := seed(i)
	tag := serviceTag(h)
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		CollectedAt:   time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC).Add(time.Duration(i) * time.Second),
		Agent:         inventory.Agent{Version: "v0.3.0", Mode: "run"},
		Host: &inventory.Host{
			Hostname:          "hook-" + strings.ToLower(tag),
			KernelRelease:     "6.6.39-linuxkit",
			KernelVersion:     "#1 SMP PREEMPT_DYNAMIC Mon Jul 15 10:12:03 UTC 2024",
			Architecture:      "amd64",
			OS:                "LinuxKit",
			KernelCommandLine: fmt.Sprintf("console=tty0 console=ttyS1,115200 worker_id=%s hw_addr=%s tink_worker_image=quay.io/tinkerbell/tink-worker:v0.12.1 syslog_host=10.20.0.2 grpc_authority=10.20.0.2:42113 packet_action=workflow", mac(i, 0), mac(i, 0)),
			BootID:            uuid(seed(i + 1<<30)),
			UptimeSeconds:     41.7,
			WorkerID:          mac(i, 0),
			HWAddr:            mac(i, 0),
		},
		System:   system(i, h, tag, opts),
		CPU:      cpu(),
		Memory:   memory(i, opts),
		Storage:  storage(i),
		Network:  network(i, opts),
		PCI:      pci(),
		Firmware: &inventory.Firmware{BootMode: "bios"},
		BMC:      bmc(i),
	}
	for _, name := range []string{"host", "smbios", "cpu", "memory", "storage", "network", "pci", "firmware", "bmc", "lldp"} {
		inv.Collectors = append(inv.Collectors, inventory.CollectorStatus{Name: name, Status: inventory.StatusOK, DurationSeconds: 0.0021})
	}
	inv.Identity = inventory.DeriveIdentity(inv)
	return inv
}

// seed is 32 pseudo-random bytes for machine i.
func seed(i int) [32]byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	return sha256.Sum256(append([]byte("hwagent-testinv"), b[:]...))
}

func uuid(h [32]byte) string {
	s := hex.EncodeToString(h[:16])
	return s[0:8] + "-" + s[8:12] + "-4" + s[13:16] + "-a" + s[17:20] + "-" + s[20:32]
}

// serviceTag is a Dell-style seven-character service tag.
func serviceTag(h [32]byte) string {
	const alphabet = "0123456789BCDFGHJKLMNPQRSTVWXYZ"
	var b strings.Builder
	for _, c := range h[16:23] {
		b.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return b.String()
}

// mac is port p's MAC of machine i under Dell's OUI: unique for i < 2^21.
func mac(i, p int) string {
	n := uint32(i)<<3 | uint32(p)
	return fmt.Sprintf("00:26:b9:%02x:%02x:%02x", byte(n>>16), byte(n>>8), byte(n))
}

func serial(i int, kind string, n int) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s-%d-%d", kind, i, n)))
	return strings.ToUpper(hex.EncodeToString(h[:4]))
}

func system(i int, h [32]byte, tag string, opts Options) *inventory.System {
	bios := "6.6.0"
	if opts.BIOSVersion != "" {
		bios = opts.BIOSVersion
	}
	return &inventory.System{
		BIOS: inventory.BIOS{Vendor: "Dell Inc.", Version: bios, ReleaseDate: "05/24/2018", Release: "6.6", ROMSizeBytes: 4 << 20},
		Product: inventory.Product{
			Manufacturer: "Dell Inc.", Name: "PowerEdge R610", Serial: tag, UUID: uuid(h),
			SKU: "SKU=NotProvided;ModelName=PowerEdge R610", Family: "", WakeUpType: "Power Switch",
		},
		Baseboard: &inventory.Baseboard{Manufacturer: "Dell Inc.", Product: "0F0XJ6", Version: "A07", Serial: fmt.Sprintf("..CN1374%s%s.", "0", serial(i, "board", 0))},
		Chassis: &inventory.Chassis{
			Manufacturer: "Dell Inc.", Type: "Rack Mount Chassis", TypeID: 23, Serial: tag,
			AssetTag: fmt.Sprintf("DC1-R%03d-U%02d", i/40, i%40+1),
		},
		SMBIOSVersion: "2.6",
	}
}

func cpu() *inventory.CPU {
	var doc struct {
		CPU inventory.CPU `json:"cpu"`
	}
	if err := json.Unmarshal(cpuJSON, &doc); err != nil {
		panic("testinv: embedded cpu section: " + err.Error())
	}
	c := doc.CPU
	for s := 1; s <= 2; s++ {
		c.Sockets = append(c.Sockets, inventory.CPUSocket{
			Designation: fmt.Sprintf("CPU%d", s), Type: "Central Processor", Family: "Xeon",
			Manufacturer: "Intel", ID: "C2 06 02 00 FF FB EB BF",
			Version: "Intel(R) Xeon(R) CPU           L5640  @ 2.27GHz", VoltageVolts: 1.2,
			ExternalClockMHz: 5860, MaxSpeedMHz: 3600, CurrentSpeedMHz: 2266, Populated: true,
			Status: "Enabled", Upgrade: "Socket LGA1366", CoreCount: 6, CoresEnabled: 6, ThreadCount: 12,
		})
	}
	return &c
}

func pci() *inventory.PCI {
	var p inventory.PCI
	if err := json.Unmarshal(pciJSON, &p); err != nil {
		panic("testinv: embedded pci section: " + err.Error())
	}
	return &p
}
