// Package blockid reads what the first and last sectors of a block device
// say, the way libblkid does: the partition table (GPT, MBR) with its
// entries, and the signatures of filesystems (ext2/3/4, XFS, btrfs, FAT),
// swap, LVM physical volumes,
// md RAID members, ZFS pool members and LUKS containers, each with the
// type, UUID and label blkid would print.
//
// The decoders never open a file: Probe reads through an io.ReaderAt that
// the caller bounds (Budget), so a test hands it an in-memory image and the
// storage collector a block device opened through hostpaths. Every read is
// small and at a fixed place (the first 8 KiB, the GPT entry array, the md
// superblock locations near the end, the ZFS label); a corrupt or hostile
// header gives a partial answer and a problem, never a panic or a loop.
//
// No maintained pure-Go library decodes these superblocks the way blkid
// names them (diskfs/go-diskfs reads GPT/MBR and writes filesystems but
// does not identify LVM, md, ZFS or LUKS members, and names nothing as
// blkid does), so the few fields needed are decoded here, from the
// on-disk formats: UEFI 2.10 §5.3 (GPT), the MBR layout, ext4's
// super_block, XFS's xfs_sb, btrfs's super block, the FAT boot sector, Linux's swap header,
// LVM2's label_header/pv_header, md's mdp_superblock_1 and 0.90, ZFS's
// vdev label nvlist and LUKS1/LUKS2 headers.
package blockid
