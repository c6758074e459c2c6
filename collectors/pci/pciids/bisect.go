package pciids

import "bytes"

// Bisection of a pci.ids file for its vendor lines. The vendor lines are
// in ascending order of ID with the lines of their blocks between them
// (devices and subsystems after tabs, comments, blank lines). A probe
// lands inside some line and reads line by line from there, alternately
// forward and backward, to the nearest vendor line, or to the class list
// ("C 02  Network controller"), which ends the vendors. Most vendor blocks
// are a few lines; in the longest (Intel's, 370 KB of 1.4 MB, then AMD's
// and NVIDIA's, 110 and 100 KB) a probe reads at most about half the block
// each way. Every wanted vendor is found in the one search, so the probes
// are shared: a machine's five vendors cost little more than one.

// cursor reads data's lines and counts the bytes it has read.
type cursor struct {
	data   []byte
	linear int // a range this small is read line by line
	budget int // bytes left to read; below zero the file is out of order
}

// line returns the line starting at s, without its newline, and the start
// of the next line.
func (c *cursor) line(s int) ([]byte, int) {
	i := bytes.IndexByte(c.data[s:], '\n')
	if i < 0 {
		c.budget -= len(c.data) - s
		return c.data[s:], len(c.data)
	}
	c.budget -= i + 1
	return c.data[s : s+i], s + i + 1
}

// lineStart returns the start of the line holding offset off.
func (c *cursor) lineStart(off int) int {
	i := bytes.LastIndexByte(c.data[:off], '\n')
	c.budget -= off - i
	return i + 1
}

// mark is what a line says about vendors.
type mark int

const (
	other  mark = iota // nothing: a comment, a blank or malformed line, a line inside a block
	vendor             // a vendor line, with its ID
	end                // the class list, which ends the vendors
)

func classify(line []byte) (mark, int) {
	switch {
	case len(line) == 0 || line[0] == '#' || line[0] == '\t':
		return other, 0
	case len(line) >= 2 && line[0] == 'C' && line[1] == ' ':
		return end, 0
	}
	if id, ok := parseEntryID(line); ok {
		return vendor, int(id)
	}
	return other, 0
}

// findVendors calls found with the start of the vendor line of each of
// targets (ascending and distinct) in the lines starting in [lo, hi), where
// the file has one. lo is a line start; hi is a line start or len(data).
func (c *cursor) findVendors(lo, hi int, targets []int, found func(id, at int)) {
	for len(targets) > 0 && c.budget >= 0 {
		if hi-lo <= c.linear {
			for at := lo; at < hi && len(targets) > 0 && c.budget >= 0; {
				line, next := c.line(at)
				m, id := classify(line)
				if m == end {
					return
				}
				if m == vendor {
					for len(targets) > 0 && targets[0] < id {
						targets = targets[1:]
					}
					if len(targets) > 0 && targets[0] == id {
						found(id, at)
						targets = targets[1:]
					}
				}
				at = next
			}
			return
		}
		// Lines in [bw, fw) have been read and are nothing.
		s := c.lineStart(lo + (hi-lo)/2)
		bw, fw := s, s
		m, id, at := other, 0, 0
		for m == other && c.budget >= 0 {
			if fw < hi {
				line, next := c.line(fw)
				if m, id = classify(line); m != other {
					at, fw = fw, next
					break
				}
				fw = next
			}
			if bw > lo {
				b := c.lineStart(bw - 1)
				if m, id = classify(c.data[b : bw-1]); m != other {
					at = b
					break
				}
				bw = b
			}
			if fw >= hi && bw <= lo {
				return // no vendor line in [lo, hi)
			}
		}
		// Now [left, right) holds the line at `at` and lines that are nothing.
		left := min(bw, at)
		right := fw
		switch {
		case m == end:
			hi = left
		case m == vendor:
			k := 0
			for k < len(targets) && targets[k] < id {
				k++
			}
			c.findVendors(lo, left, targets[:k], found)
			if k < len(targets) && targets[k] == id {
				found(id, at)
				k++
			}
			targets, lo = targets[k:], right
		}
	}
}
