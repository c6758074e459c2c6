// Package hardwarecsv is the exporter of EKS Anywhere's hardware.csv: an
// export.Writer that writes a header and one record per machine, in the
// column order of EKS Anywhere's own examples.
package hardwarecsv
