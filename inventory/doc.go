// Package inventory is the hwagent data model: the document the agent collects,
// the server stores and the exporters read. It is the contract between them.
//
// The package has no dependencies outside the standard library so that any
// consumer (a provisioning server, an exporter, a test) can import it cheaply.
//
// Conventions:
//   - JSON field names are snake_case; every field documents where its value
//     comes from and its unit.
//   - Numbers stay numeric with the unit in the name: SizeBytes, SpeedMbps,
//     MaxSpeedMHz. Nothing is stored as "16 GB" or "1000Mb/s".
//   - A value that could not be read is absent (zero value with omitempty, or a
//     nil pointer), never a sentinel such as "unknown" or -1.
//   - A section is nil when its collector did not run or failed; the reason is
//     in Collectors. An empty, non-nil section means "read, and found nothing".
//   - Firmware strings are kept as read. Values that vendors leave as
//     placeholders ("To Be Filled By O.E.M.", "Default string", all-zero UUIDs)
//     are listed by JSON field name in the section's Placeholders and are never
//     used for identity or names. placeholder.go (rules) and placeholder_list.go
//     (values seen in the wild, each with where) are the one authority.
//
// The document carries SchemaVersion; consumers should reject a major version
// they do not know. schema.json in this directory is the published JSON Schema,
// generated from these types (go generate ./inventory).
package inventory

//go:generate go test -run TestSchemaUpToDate -update .
