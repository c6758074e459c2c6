package ipmi

import "sync"

// vendors maps IANA Private Enterprise Numbers that BMCs report in Get
// Device ID to the short names operators use. Numbers checked against
// IANA's enterprise-numbers registry (Debian's
// /usr/share/misc/enterprise-numbers.txt); where a vendor owns several,
// each one a BMC is known to send is listed.
var vendors = sync.OnceValue(func() map[uint32]string {
	return map[uint32]string{
		2:     "IBM",
		9:     "Cisco",
		11:    "HPE",    // Hewlett-Packard: iLO reports it
		42:    "Oracle", // Sun Microsystems: ILOM reports it
		111:   "Oracle",
		119:   "NEC",
		211:   "Fujitsu",
		343:   "Intel",
		674:   "Dell",
		2011:  "Huawei",
		2623:  "ASUS",
		3902:  "ZTE",
		5703:  "NVIDIA",
		5771:  "Cisco", // Cisco Systems, Inc.: UCS CIMC
		6569:  "Inventec",
		6653:  "Tyan",
		7244:  "Quanta",
		10368: "Fujitsu", // Fujitsu Technology Solutions: iRMC
		10876: "Supermicro",
		11129: "Google",
		15370: "Gigabyte",
		17084: "Foxconn",
		19046: "Lenovo",
		20301: "IBM System x", // "IBM eServer X": IMM on IBM and Lenovo System x
		20974: "AMI",
		37945: "Inspur",
		40981: "Meta", // Facebook, Inc.: OpenBMC on Open Compute servers
		47196: "HPE",
		49622: "ASRockRack",
		49871: "OpenBMC",
	}
})

// VendorName returns a short name for an IANA enterprise number a BMC
// reports ("Supermicro" for 10876), or "" for numbers not in the table.
func VendorName(iana uint32) string {
	return vendors()[iana]
}
