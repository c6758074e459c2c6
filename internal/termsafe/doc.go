// Package termsafe escapes the strings a machine, a BMC or a switch put in
// an inventory before they reach a terminal: a serial number can hold
// ESC]0;…BEL (set the window title), ESC[2J (clear the screen), an 8-bit
// CSI, or a right-to-left override that reorders the rest of the line.
// It is the one sanitizer of every human-facing output (dump's text and
// YAML, `machines list/show/history`); JSON keeps the data exact and only
// spells the dangerous characters as \u escapes.
package termsafe
