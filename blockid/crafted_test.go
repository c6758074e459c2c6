package blockid

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/lab"
)

var (
	testSetUUID = [16]byte{0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18, 0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x90}
	testDevUUID = [16]byte{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10}
	testPVID    = "AbCdEf0123456789GhIjKlMnOpQrStUv"
)

// crafted are images built in Go for formats whose tools cannot run on a
// test machine without their kernel drivers.
func crafted() map[string][]byte {
	md := make([]byte, 4<<20)
	mdV12(md, 4096, testSetUUID, testDevUUID, "rack1:0")
	lvm := make([]byte, 4<<20)
	lvmLabel(lvm, testPVID)
	zfs := make([]byte, 64<<20)
	zfsLabel(zfs, "tank", 1234567890123456789, 987654321)
	gpt := make([]byte, 4<<20)
	gptImage(gpt, testSetUUID, testDevUUID, testSetUUID, "root")
	return map[string][]byte{"md12": md, "lvm2": lvm, "zfs": zfs, "gpt": gpt}
}

// TestCraftedAgainstBlkid checks the crafted images against blkid: if
// blkid did not read them the same way, the builders (and so the decoders
// they exercise) would be wrong.
func TestCraftedAgainstBlkid(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.DiskTools)
	for name, img := range crafted() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), name+".img")
			if err := os.WriteFile(file, img, 0o600); err != nil {
				t.Fatal(err)
			}
			want := blkidExport(t, file)
			for _, k := range ignoredBlkidKeys {
				delete(want, k)
			}
			if len(want) == 0 {
				t.Fatalf("blkid finds nothing in the crafted %s image", name)
			}
			res := Probe(Device{R: bytes.NewReader(img), Size: int64(len(img))})
			if diff := cmp.Diff(want, asBlkid(res, want)); diff != "" {
				t.Errorf("Probe vs blkid -p (-blkid +Probe):\n%s", diff)
			}
		})
	}
}

// TestCorruptHeaders: a header whose checksum or bounds are wrong gives a
// partial answer with a problem, never a wrong one.
func TestCorruptHeaders(t *testing.T) {
	t.Parallel()
	c := crafted()
	md := c["md12"]
	md[4096+100] ^= 0xff // inside the checksummed superblock
	res := Probe(Device{R: bytes.NewReader(md), Size: int64(len(md))})
	if len(res.Signatures) != 0 || len(res.Problems) == 0 {
		t.Errorf("md with a bad checksum: %+v", res)
	}
	gpt := c["gpt"]
	gpt[1024+60] ^= 0xff // an entry: the array CRC fails
	res = Probe(Device{R: bytes.NewReader(gpt), Size: int64(len(gpt))})
	if res.Table == nil || res.Table.Type != "gpt" || len(res.Table.Entries) != 0 || len(res.Problems) == 0 {
		t.Errorf("gpt with a bad entry array: %+v", res)
	}
	// A GPT header claiming 2^32-1 entries is refused, not read.
	gpt2 := crafted()["gpt"]
	gpt2[512+80], gpt2[512+81], gpt2[512+82], gpt2[512+83] = 0xff, 0xff, 0xff, 0xff
	res = Probe(Device{R: Budget(bytes.NewReader(gpt2), 64<<10), Size: int64(len(gpt2))})
	if len(res.Problems) == 0 {
		t.Errorf("gpt with 2^32 entries: no problem reported: %+v", res)
	}
	// A loop of extended boot records ends.
	dos := make([]byte, 4<<20)
	dos[446+4], dos[446+8], dos[446+12] = 0x05, 1, 100
	dos[510], dos[511] = 0x55, 0xAA
	ebr := dos[512:1024]
	ebr[446+16+4], ebr[446+16+8], ebr[446+16+12] = 0x05, 0, 10 // next EBR: itself
	ebr[510], ebr[511] = 0x55, 0xAA
	res = Probe(Device{R: bytes.NewReader(dos), Size: int64(len(dos))})
	if res.Table == nil || len(res.Problems) == 0 {
		t.Errorf("EBR loop: %+v", res)
	}
}
