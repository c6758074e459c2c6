// Package smbios reads the host's SMBIOS (DMI) table and maps its structures
// onto the inventory: system, baseboard, chassis and BIOS (types 0-3),
// processor sockets (type 4), memory devices (type 17), the IPMI device
// (type 38), the Redfish host interface (type 42) and the TPM (type 43).
//
// Structures are split by u-root's pkg/smbios, which works on bytes and
// tolerates a table without an end-of-table structure, which Linux 6.6.39+
// can export. The mapping methods on Table are pure: they read the parsed
// structures and return inventory values, never touching the host.
//
// Fields are read by their DSP0134 offsets with the length checks dmidecode
// applies, and enumerations are named as dmidecode 3.6 prints them, so that a
// value in the inventory can be checked against `dmidecode` on the same
// machine. Differences from dmidecode's text are deliberate and few:
//   - a string index of 0 ("Not Specified" in dmidecode) and an index past
//     the string set ("<BAD INDEX>") are absent;
//   - strings are trimmed; like dmidecode, bytes outside printable ASCII are
//     replaced by '.';
//   - the UUID is lower case and always printed as hex, also when dmidecode
//     says "Not Present" (all FF) or "Not Settable" (all 00): such a UUID is
//     listed in Placeholders instead;
//   - an enumeration value dmidecode calls "<OUT OF SPEC>" is absent;
//   - sizes, speeds and voltages are numbers in the unit their field names.
package smbios
