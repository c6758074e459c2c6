package server

import (
	"errors"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/hwagent/hwagent/inventory"
)

// exactLists are the fast path's unmarshalers of an inventory's longest
// lists. encoding/json/v2 appends a list's elements to the slice one by
// one, doubling it as it fills: the 82 PCI functions of a registration
// went through slices of 1, 2, 4 … 128 of them (61 KB for 20 KB kept),
// and such growing was 40 % of the bytes the server allocated per
// registration, which the garbage collector then paid for. These decode
// the elements into a pooled slice and keep an exact copy. The value is
// v2's own (each element decoded by v2 with the decoder's options; null a
// nil slice, [] an empty one); anything else is refused and, as every
// body v2 refuses, decided by v1 (FuzzDecodeStrictV1V2).
var exactLists = jsonv2.JoinUnmarshalers(
	exactList[inventory.PCIDevice](),
	exactList[inventory.MemoryModule](),
	exactList[inventory.Disk](),
	exactList[inventory.NIC](),
	exactList[inventory.CollectorStatus](),
)

// errNotList is what exactList answers a member that is not a list: v1
// decides it and says why.
var errNotList = errors.New("not a list")

func exactList[T any]() *jsonv2.Unmarshalers {
	var pool sync.Pool // of *[]T, empty, their elements zero
	return jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, dst *[]T) error {
		switch dec.PeekKind() {
		case 'n':
			*dst = nil
			_, err := dec.ReadToken()
			return err
		case '[':
		default:
			return errNotList
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		bp, _ := pool.Get().(*[]T)
		if bp == nil {
			bp = new([]T)
		}
		buf := *bp
		defer func() {
			clear(buf) // nothing of this request kept alive by the pool
			*bp = buf[:0]
			pool.Put(bp)
		}()
		var zero T
		for dec.PeekKind() != ']' {
			buf = append(buf, zero)
			if err := jsonv2.UnmarshalDecode(dec, &buf[len(buf)-1]); err != nil {
				return err
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		out := make([]T, len(buf))
		copy(out, buf)
		*dst = out
		return nil
	})
}
