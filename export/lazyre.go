package export

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr the first time it is used. The agent's binary
// links this package (dump -o csv, export) but its boot path (run,
// register) never validates a plan: compiling a dozen expressions at
// package initialization cost every netbooted machine under emulation
// milliseconds of code it never needed (docs/e2e.md, "Faster to
// registered").
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
