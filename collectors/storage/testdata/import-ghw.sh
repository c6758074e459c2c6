#!/bin/sh
# Re-creates testdata/ghw/* from the snapshots of real machines that ship in
# the module github.com/jaypipes/ghw v0.26.0 (testdata/snapshots, Apache-2.0):
# the sys/block symlinks and, for each, the block device's own directory
# (attributes, queue/, partitions), as plain files and symlinks. The
# snapshots hold no device/ attributes (vendor, model, serial).
# Usage (from collectors/storage): sh testdata/import-ghw.sh
set -eu
. "$(git rev-parse --show-toplevel)/testdata/lib/fixtures.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while read -r name archive; do
	ghw_unpack "$archive" "$tmp/$name"
	dst=$(pwd)/testdata/ghw/$name
	rm -rf "$dst"
	mkdir -p "$dst/sys/block"
	(
		cd "$tmp/$name/sys/block"
		for b in *; do
			[ -L "$b" ] || continue
			cp -P "$b" "$dst/sys/block/$b"
			real=$(cd "$(dirname "$(readlink "$b")")" && pwd -P)/$(basename "$(readlink "$b")")
			rel=${real#"$tmp/$name/"}
			mkdir -p "$dst/$(dirname "$rel")"
			cp -RP "$real" "$dst/$rel"
		done
	)
done <<'LIST'
intel-i7-1270p linux-amd64-415ee03b8c4d1c4f07ae2e9d8b3d3d6d
amd-ryzen5-1600 linux-amd64-61797caf7c0b6bca1725ad7975ed4773
dual-xeon-l5640 linux-amd64-8581cf3a529e5d8b97ea876eade2f60d
xeon-e5-2695v4-vm linux-amd64-accel-nvidia
xeon-gold-5218r-vm linux-amd64-accel
arm64-neoverse-n1 linux-arm64-c288e0776090cd558ef793b2a4e61939
s390x-z16 linux-s390x-snapshot
LIST
