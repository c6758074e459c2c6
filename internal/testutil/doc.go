// Package testutil holds the scaffolding hwagent's tests share: host trees
// written from a map (files, symlinks, directories), gzip-compressed tar
// archives unpacked into a directory (what `hwagent snapshot` writes),
// golden files compared and rewritten under the -update flag, SMBIOS
// `dmidecode --dump-bin` files split as Linux exports them, LockedBuffer
// (a log sink safe for concurrent use), and Record, a testing.TB that
// records failures so the helpers themselves can be tested.
//
// It imports nothing of hwagent, so the tests of any package in the module,
// hostpaths and smbios included, may use it. Helpers that run a
// collector live in the subpackage collectortest.
//
// It registers one flag, -update (Update), for every test package that
// keeps golden files: `go test ./PKG -update` rewrites them. A test package
// never defines a flag of that name itself.
package testutil
