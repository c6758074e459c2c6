package export

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/inventory"
)

// prefetch reads the documents of entries that need a second read, in
// order, GOMAXPROCS at a time and at most 2×GOMAXPROCS ahead of the
// caller: again(i) waits for entry i's document (nil for entries that need
// none) and must be called for every i in order; stop ends the readers.
func (x *Exporter) prefetch(entries []*entry) (again func(i int) (*inventory.Inventory, error), stop func()) {
	type loaded struct {
		inv *inventory.Inventory
		err error
	}
	workers := runtime.GOMAXPROCS(0)
	window := make(chan struct{}, 2*workers)
	done := make(chan struct{})
	slots := make([]chan loaded, len(entries))
	for i := range slots {
		slots[i] = make(chan loaded, 1)
	}
	var next atomic.Int64
	for range workers {
		go func() {
			ld := &loader{lean: x.c.lean}
			for {
				select {
				case window <- struct{}{}:
				case <-done:
					return
				}
				i := int(next.Add(1) - 1)
				if i >= len(entries) {
					return
				}
				var l loaded
				if e := entries[i]; e.loadOK && e.hostnameLater {
					l.inv, l.err = ld.load(e.ref)
				}
				slots[i] <- l
			}
		}()
	}
	again = func(i int) (*inventory.Inventory, error) {
		l := <-slots[i]
		slots[i] = nil
		<-window
		return l.inv, l.err
	}
	return again, func() { close(done) }
}

// scanAll builds every entry, GOMAXPROCS documents at a time; entries come
// back in refs' order.
func (x *Exporter) scanAll(ctx context.Context, refs []source.Ref, wantFacts bool) ([]*entry, error) {
	entries := make([]*entry, len(refs))
	workers := min(runtime.GOMAXPROCS(0), len(refs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rend := newRenderer(x.c.hostname)
			ld := &loader{lean: x.c.lean}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(refs) || ctx.Err() != nil {
					return
				}
				entries[i] = x.scan(refs[i], ld, rend, wantFacts)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return entries, nil
}
