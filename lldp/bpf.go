package lldp

import "golang.org/x/net/bpf"

// maxFrame is the largest frame a listener reads (a 9000-byte jumbo frame
// and headers fit).
const maxFrame = 9216

// filterProgram accepts LLDP frames (EtherType 0x88cc) and CDP frames (an
// 802.3 length, destination 01:00:0c:cc:cc:cc, LLC/SNAP with the Cisco OUI
// and PID 0x2000) and drops everything else in the kernel. VLAN tags need no
// case: AF_PACKET delivers frames with the tag already removed.
var filterProgram = []bpf.Instruction{
	/* 0 */ bpf.LoadAbsolute{Off: 12, Size: 2},
	/* 1 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: EtherTypeLLDP, SkipTrue: 9},
	/* 2 */ bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 1500, SkipTrue: 9},
	/* 3 */ bpf.LoadAbsolute{Off: 0, Size: 4},
	/* 4 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x01000ccc, SkipFalse: 7},
	/* 5 */ bpf.LoadAbsolute{Off: 4, Size: 2},
	/* 6 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xcccc, SkipFalse: 5},
	/* 7 */ bpf.LoadAbsolute{Off: 14, Size: 4},
	/* 8 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xaaaa0300, SkipFalse: 3},
	/* 9 */ bpf.LoadAbsolute{Off: 18, Size: 4},
	/* 10 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x000c2000, SkipFalse: 1},
	/* 11 */ bpf.RetConstant{Val: maxFrame},
	/* 12 */ bpf.RetConstant{Val: 0},
}

// Filter returns the assembled kernel filter for LLDP and CDP frames.
func Filter() ([]bpf.RawInstruction, error) {
	return bpf.Assemble(filterProgram)
}
