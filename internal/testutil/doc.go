// Package testutil holds the scaffolding hwagent's tests share: host trees
// written from a map (files, symlinks, directories), gzip-compressed tar
// archives unpacked into a directory (what `hwagent snapshot` writes),
// golden files compared and rewritten under an -update flag, SMBIOS
// `dmidecode --dump-bin` files split as Linux exports them, and Record, a
// testing.TB that records failures so the helpers themselves can be tested.
//
// It imports nothing of hwagent, so the tests of any package in the module,
// hostpaths and smbios included, may use it. Helpers that run a
// collector live in the subpackage collectortest.
//
// No helper registers a flag: a test package that rewrites golden files
// keeps its own
//
//	var update = flag.Bool("update", false, "rewrite testdata/golden from the collector's output")
//
// and passes *update, so `go test -update` works per package and no flag is
// defined twice.
package testutil
