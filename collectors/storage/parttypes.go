package storage

import "sync"

// gptTypeNames are the names fdisk gives common GPT partition type GUIDs.
var gptTypeNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"c12a7328-f81f-11d2-ba4b-00a0c93ec93b": "EFI System",
		"21686148-6449-6e6f-744e-656564454649": "BIOS boot",
		"0fc63daf-8483-4772-8e79-3d69d8477de4": "Linux filesystem",
		"0657fd6d-a4ab-43c4-84e5-0933c84b4f4f": "Linux swap",
		"e6d6d379-f507-44c2-a23c-238f2a3df928": "Linux LVM",
		"a19d880f-05fc-4d3b-a006-743f0f84911e": "Linux RAID",
		"4f68bce3-e8cd-4db1-96e7-fbcaf984b709": "Linux root (x86-64)",
		"b921b045-1df0-41c3-af44-4c6f280d3fae": "Linux root (ARM-64)",
		"933ac7e1-2eb4-4f13-b844-0e14e2aef915": "Linux home",
		"bc13c2ff-59e6-4262-a352-b275fd6f7172": "Linux extended boot",
		"ca7d7ccb-63ed-4c53-861c-1742536059cc": "Linux LUKS",
		"ebd0a0a2-b9e5-4433-87c0-68b6b72699c7": "Microsoft basic data",
		"e3c9e316-0b5c-4db8-817d-f92df00215ae": "Microsoft reserved",
		"de94bba4-06d1-4d40-a16a-bfd50179d6ac": "Windows recovery environment",
		"6a898cc3-1dd2-11b2-99a6-080020736631": "Solaris /usr & Apple ZFS",
		"aa31e02a-400f-11db-9590-000c2911d1c0": "VMware VMFS",
		"9d275380-40ad-11db-bf97-000c2911d1c0": "VMware VMKCORE",
		"4fbd7e29-9d25-41b8-afd0-062c0ceff05d": "Ceph OSD",
		"516e7cba-6ecf-11d6-8ff8-00022d09712b": "FreeBSD ZFS",
		"7c3457ef-0000-11aa-aa11-00306543ecac": "Apple APFS",
	}
})

// mbrTypeNames are the names fdisk gives common MBR partition types.
var mbrTypeNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"0x5": "Extended", "0xf": "W95 Ext'd (LBA)", "0x85": "Linux extended",
		"0x83": "Linux", "0x82": "Linux swap / Solaris", "0x8e": "Linux LVM", "0xfd": "Linux raid autodetect",
		"0xb": "W95 FAT32", "0xc": "W95 FAT32 (LBA)", "0xe": "W95 FAT16 (LBA)", "0x6": "FAT16", "0x7": "HPFS/NTFS/exFAT",
		"0xef": "EFI (FAT-12/16/32)", "0xee": "GPT", "0xbf": "Solaris",
	}
})

// PartitionTypeName names a partition type of a "gpt" or "dos" table as
// fdisk does; "" when not known.
func PartitionTypeName(table, typ string) string {
	if table == "gpt" {
		return gptTypeNames()[typ]
	}
	return mbrTypeNames()[typ]
}
