// Command gen prints smbios/jep106_names.go from decode-dimms' JEP106
// table (the path may be given; default /usr/bin/decode-dimms).
package main

import (
	"fmt"
	"os"

	"github.com/hwagent/hwagent/smbios/internal/jep106gen"
)

func main() {
	src := "/usr/bin/decode-dimms"
	if len(os.Args) > 1 {
		src = os.Args[1]
	}
	banks, err := jep106gen.Dump(src)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Print(jep106gen.Render(banks))
}
