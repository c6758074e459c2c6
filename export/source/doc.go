// Package source is where an export's inventory documents come from: files
// and directories (FileRefs), a stream on stdin spooled to files (Spool),
// and an hwagent server's operator API (ServerSource, through the project's
// one server client). A Ref names one document and loads it; the exporter
// may read a file's bytes itself (Ref.Path) to decode only what it needs.
package source
