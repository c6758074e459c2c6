// Command jsonfloats rewrites easyjson's generated encoders to write
// floating-point numbers as encoding/json does (inventory.writeFloat64):
// go generate runs it after easyjson.
package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
)

var call = regexp.MustCompile(`\bout\.Float64\((float64\(in\.[A-Za-z0-9_.]+\))\)`)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: jsonfloats FILE")
		os.Exit(2)
	}
	name := os.Args[1]
	src, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := call.ReplaceAll(src, []byte("writeFloat64(out, $1)"))
	if bytes.Contains(out, []byte("out.Float64(")) || bytes.Contains(out, []byte("out.Float32(")) {
		fmt.Fprintf(os.Stderr, "%s: a float written in a way jsonfloats does not know\n", name)
		os.Exit(1)
	}
	if err := os.WriteFile(name, out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
