package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/version"
	"github.com/hwagent/hwagent/report"
)

func newSnapshotCmd(g *globalFlags, stdout io.Writer) *cobra.Command {
	cf := newCollectFlags(0, false)
	var out string
	cmd := &cobra.Command{
		Use:   "snapshot --out host.tar.gz",
		Short: "Capture exactly the files the collectors read, for troubleshooting",
		Long: `Run the collectors and write every file, directory and symlink they read
into a gzip-compressed tar laid out as a host tree (proc/, sys/, dev/, run/,
etc/, usr/), with the inventory document as hwagent-inventory.json and a manifest,
hwagent-snapshot.json, that marks the tree as a recording and keeps what was
read from the machine rather than from files (netlink addresses and
permanent MACs, ethtool driver info).

Send it with a bug report: 'hwagent dump --root DIR' on the unpacked tree
reproduces the inventory on any machine, and never mixes in that machine's
own links. A recording has no devices and no links to listen on: the BMC's
answers and the LLDP neighbours are only in hwagent-inventory.json.`,
		Example: `  hwagent snapshot --out node42.tar.gz
  mkdir node42 && tar -xzf node42.tar.gz -C node42 && hwagent dump --root node42`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out is required (a .tar.gz file, or - for stdout)")
			}
			inv, rec, err := cf.collect(cmd.Context(), g.logger, "snapshot", true)
			if err != nil {
				return err
			}
			paths := cf.host.paths()
			tree, err := paths.Snapshot(rec)
			if err != nil {
				return err
			}
			var doc bytes.Buffer
			if err := report.WriteJSON(&doc, inv); err != nil {
				return err
			}
			manifest, err := rec.Manifest(version.String(), time.Now(), paths.String()).Marshal()
			if err != nil {
				return err
			}
			extra := map[string][]byte{"hwagent-inventory.json": doc.Bytes(), hostpaths.ManifestName: manifest}
			if out == "-" {
				return tree.WriteTarGz(stdout, extra)
			}
			o, err := outputFor(out)
			if err != nil {
				return err
			}
			tmp, err := os.CreateTemp(o.tempDir(os.TempDir()), ".hwagent-snapshot-*")
			if err != nil {
				return err
			}
			defer os.Remove(tmp.Name())
			if err := tree.WriteTarGz(tmp, extra); err != nil {
				tmp.Close()
				return err
			}
			if err := o.place(tmp); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "wrote %s: %d paths from %s\n", out, len(tree), paths)
			return nil
		},
	}
	cf.bind(cmd.Flags())
	cmd.Flags().StringVar(&out, "out", "", "where to write the snapshot (.tar.gz; - for stdout)")
	return cmd
}
