package ipmi

import (
	"testing"
	"unsafe"
)

// TestABI checks the structures and ioctl numbers against
// include/uapi/linux/ipmi.h as compiled for x86-64 (sizes from the C
// layouts; the numbers as the kernel headers expand them).
func TestABI(t *testing.T) {
	t.Parallel()
	for name, got := range map[string][2]uintptr{
		"struct ipmi_system_interface_addr": {unsafe.Sizeof(ipmiSystemInterfaceAddr{}), 8},
		"struct ipmi_addr":                  {unsafe.Sizeof(ipmiAddr{}), 40},
		"struct ipmi_msg":                   {unsafe.Sizeof(ipmiMsg{}), 16},
		"struct ipmi_req":                   {unsafe.Sizeof(ipmiReq{}), 40},
		"struct ipmi_recv":                  {unsafe.Sizeof(ipmiRecv{}), 48},
		"IPMICTL_SEND_COMMAND":              {ipmictlSendCommand, 0x8028690d},
		"IPMICTL_RECEIVE_MSG_TRUNC":         {ipmictlReceiveMsgTrunc, 0xc030690b},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %#x, want %#x", name, got[0], got[1])
		}
	}
}
