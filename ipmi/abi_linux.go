//go:build linux

package ipmi

import "unsafe"

// The ipmi_devintf ABI, include/uapi/linux/ipmi.h. The Go structs mirror the
// C layouts: C long is Go int on every Linux port, pointers are
// unsafe.Pointer so the garbage collector keeps the buffers they point to.

const (
	ipmiSystemInterfaceAddrType = 0x0c // IPMI_SYSTEM_INTERFACE_ADDR_TYPE
	ipmiBMCChannel              = 0x0f // IPMI_BMC_CHANNEL
	ipmiResponseRecvType        = 1    // IPMI_RESPONSE_RECV_TYPE
	ipmiIOCMagic                = 'i'  // IPMI_IOC_MAGIC
	// ipmiMaxMsgLength is IPMI_MAX_MSG_LENGTH (272 since Linux 4.x; 36
	// before) rounded up: replies never exceed it.
	ipmiMaxMsgLength = 1024
)

// struct ipmi_system_interface_addr
type ipmiSystemInterfaceAddr struct {
	addrType int32
	channel  int16
	lun      uint8
	_        uint8
}

// struct ipmi_addr: large enough for any address the kernel copies back
// into a receive.
type ipmiAddr struct {
	addrType int32
	channel  int16
	data     [32]byte // IPMI_MAX_ADDR_SIZE
}

// struct ipmi_msg
type ipmiMsg struct {
	netfn   uint8
	cmd     uint8
	dataLen uint16
	data    unsafe.Pointer
}

// struct ipmi_req
type ipmiReq struct {
	addr    unsafe.Pointer
	addrLen uint32
	msgid   int // long
	msg     ipmiMsg
}

// struct ipmi_recv
type ipmiRecv struct {
	recvType int32
	addr     unsafe.Pointer
	addrLen  uint32
	msgid    int // long
	msg      ipmiMsg
}

// ioc is the asm-generic _IOC encoding (x86, arm, arm64, riscv, s390x,
// loong64); powerpc, mips and sparc encode directions differently and are
// not supported.
func ioc(dir, nr, size uintptr) uintptr {
	return dir<<30 | size<<16 | ipmiIOCMagic<<8 | nr
}

const (
	iocWrite = 1
	iocRead  = 2
)

var (
	// IPMICTL_SEND_COMMAND is _IOR(IPMI_IOC_MAGIC, 13, struct ipmi_req).
	ipmictlSendCommand = ioc(iocRead, 13, unsafe.Sizeof(ipmiReq{}))
	// IPMICTL_RECEIVE_MSG_TRUNC is _IOWR(IPMI_IOC_MAGIC, 11, struct ipmi_recv).
	ipmictlReceiveMsgTrunc = ioc(iocRead|iocWrite, 11, unsafe.Sizeof(ipmiRecv{}))
)
