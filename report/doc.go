// Package report renders inventories: the text report a person reads at a
// console and the JSON/YAML inventory document.
package report
