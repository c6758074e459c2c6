# Shell functions shared by the scripts that re-create test fixtures from
# real machines' data (testdata/hosts/make-hosts.sh,
# export/testdata/fleet/make-fleet.sh, collectors/*/testdata/import-ghw.sh).
# Source it from the repository:
#   . "$(git rev-parse --show-toplevel)/testdata/lib/fixtures.sh"
# Inputs: ghw v0.26.0's snapshots of real machines (Apache-2.0, fetched into
# the module cache with `go mod download`) and the SMBIOS tables of
# $SMBIOS_FIXTURES (default /work/shared/fixtures/smbios, dmidecode
# --dump-bin files).

# ghw_snapshots prints the directory of ghw v0.26.0's snapshot archives.
ghw_snapshots() {
	_dir=$(go mod download -json github.com/jaypipes/ghw@v0.26.0 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -n "$_dir" ] || { echo "fixtures.sh: cannot download github.com/jaypipes/ghw@v0.26.0" >&2; return 1; }
	echo "$_dir/testdata/snapshots"
}

# ghw_unpack ARCHIVE DIR: a snapshot's proc and sys into DIR (created,
# emptied first), symlinks kept, files writable.
ghw_unpack() {
	rm -rf "$2"
	mkdir -p "$2"
	tar xzf "$(ghw_snapshots)/$1.tar.gz" -C "$2" 2>/dev/null || true
	chmod -R u+w "$2"
}

# smbios_tables NAME DIR: the fixture's entry point (31 bytes for _SM_, 24
# for _SM3_) and its structure table from offset 0x20, as Linux exports them
# in sys/firmware/dmi/tables/{smbios_entry_point,DMI}.
smbios_tables() {
	_smbios=${SMBIOS_FIXTURES:-/work/shared/fixtures/smbios}
	_d=$2/sys/firmware/dmi/tables
	mkdir -p "$_d"
	if [ "$(head -c 5 "$_smbios/$1.bin")" = "_SM3_" ]; then _n=24; else _n=31; fi
	head -c $_n "$_smbios/$1.bin" >"$_d/smbios_entry_point"
	tail -c +33 "$_smbios/$1.bin" >"$_d/DMI"
}

# hook_kernel DIR ARCH HOSTNAME: what /proc/sys/kernel says under
# Tinkerbell Hook's kernel (the snapshots keep none of it).
hook_kernel() {
	mkdir -p "$1/proc/sys/kernel"
	echo 6.6.74-linuxkit >"$1/proc/sys/kernel/osrelease"
	echo "$2" >"$1/proc/sys/kernel/arch"
	echo "$3" >"$1/proc/sys/kernel/hostname"
}

# uefi DIR: the machine booted through 64-bit UEFI.
uefi() { mkdir -p "$1/sys/firmware/efi" && echo 64 >"$1/sys/firmware/efi/fw_platform_size"; }

# overlay SRC DIR: copy a testdata tree over DIR, symlinks kept.
overlay() { cp -a "$1/." "$2/"; }

# keep_empty_dirs DIR: a .gitkeep in every empty directory, so that git
# keeps the directories a collector lists (sysfs has many empty ones).
keep_empty_dirs() { find "$1" -type d -empty -exec touch {}/.gitkeep \; ; }
