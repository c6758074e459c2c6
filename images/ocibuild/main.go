// Command ocibuild builds hwagent's container image without a Docker engine:
// the FROM-scratch image the Dockerfile describes (the static binary, CA
// certificates and pci.ids) for every platform given, as one OCI image
// index in an OCI image layout tarball that `docker load` (Docker 25+),
// `podman load`, `skopeo copy oci-archive:…`, `ctr image import
// --all-platforms` and `linuxkit cache import` accept. `make image` runs it
// (see images/README.md):
//
//	go run ./images/ocibuild --binary linux/amd64=dist/hwagent-linux-amd64 \
//	    --binary linux/arm64=dist/hwagent-linux-arm64 --version "$V" \
//	    --revision "$(git rev-parse HEAD)" --created "$(git log -1 --format=%cI)" \
//	    --tag hwagent/hwagent:$V --out dist/hwagent-image.tar
//
// The output is byte for byte reproducible: the same binaries, files and
// flags give the same tarball and so the same index digest. Nothing in it
// depends on the clock, the user or the order of directory listings.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// options say what goes into the image.
type options struct {
	// Binaries are the static hwagent binaries by platform
	// ("linux/arm64"), in the index's order.
	Binaries []platformBinary
	CACerts  string // a PEM bundle, installed as /etc/ssl/certs/ca-certificates.crt
	PCIIDs   string // pci.ids, installed as /usr/share/hwdata/pci.ids; optional
	Version  string
	// Revision (the commit), Source (the repository's URL) and Licenses
	// (an SPDX expression) are OCI annotations and labels.
	Revision, Source, Licenses string
	// Created is the image's creation time: the commit's time, so that a
	// rebuild of the same commit gives the same bytes.
	Created time.Time
	// Tag names the image in the layout (io.containerd.image.name).
	Tag string
}

// platformBinary is one platform's binary.
type platformBinary struct {
	OS, Arch, Variant string
	Path              string
}

func (p platformBinary) String() string {
	s := p.OS + "/" + p.Arch
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// binariesFlag parses repeated --binary OS/ARCH=PATH.
type binariesFlag struct{ list *[]platformBinary }

func (b binariesFlag) String() string { return "" }
func (b binariesFlag) Set(v string) error {
	plat, path, ok := strings.Cut(v, "=")
	parts := strings.Split(plat, "/")
	if !ok || path == "" || len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return fmt.Errorf("%q: want OS/ARCH=PATH, e.g. linux/arm64=dist/hwagent-linux-arm64", v)
	}
	p := platformBinary{OS: parts[0], Arch: parts[1], Path: path}
	if len(parts) == 3 {
		p.Variant = parts[2]
	} else if p.Arch == "arm64" {
		p.Variant = "v8" // as Docker and containerd name arm64
	}
	for _, have := range *b.list {
		if have.String() == p.String() {
			return fmt.Errorf("%s given twice", p)
		}
	}
	*b.list = append(*b.list, p)
	return nil
}

func main() {
	var o options
	var out, created string
	flag.Var(binariesFlag{&o.Binaries}, "binary", "OS/ARCH=PATH of a static hwagent binary (CGO_ENABLED=0); repeat for every platform")
	flag.StringVar(&o.CACerts, "ca-certs", "/etc/ssl/certs/ca-certificates.crt", "CA bundle for TLS to the provisioning server")
	flag.StringVar(&o.PCIIDs, "pci-ids", "/usr/share/misc/pci.ids", "pci.ids for PCI names (empty: leave out)")
	flag.StringVar(&o.Version, "version", "dev", "org.opencontainers.image.version")
	flag.StringVar(&o.Revision, "revision", "", "org.opencontainers.image.revision: the commit")
	flag.StringVar(&o.Source, "source", "https://github.com/hwagent/hwagent", "org.opencontainers.image.source")
	flag.StringVar(&o.Licenses, "licenses", "NOASSERTION", "org.opencontainers.image.licenses (SPDX)")
	flag.StringVar(&created, "created", "", "creation time, RFC 3339 or Unix seconds (default $SOURCE_DATE_EPOCH, else the Unix epoch: never the clock)")
	flag.StringVar(&o.Tag, "tag", "hwagent/hwagent:dev", "image reference recorded in the layout")
	flag.StringVar(&out, "out", "dist/hwagent-image.tar", "where to write the OCI layout tarball")
	flag.Parse()
	if created == "" {
		created = os.Getenv("SOURCE_DATE_EPOCH")
	}
	var err error
	if o.Created, err = parseTime(created); err != nil {
		fmt.Fprintln(os.Stderr, "ocibuild: --created:", err)
		os.Exit(2)
	}
	if len(o.Binaries) == 0 {
		fmt.Fprintln(os.Stderr, "ocibuild: give at least one --binary OS/ARCH=PATH")
		os.Exit(2)
	}
	digest, err := run(o, out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ocibuild:", err)
		os.Exit(1)
	}
	fi, err := os.Stat(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ocibuild:", err)
		os.Exit(1)
	}
	var plats []string
	for _, b := range o.Binaries {
		plats = append(plats, b.String())
	}
	fmt.Printf("wrote %s: %s (%s), index %s, %.1f MB\n", out, o.Tag, strings.Join(plats, ", "), digest, float64(fi.Size())/1e6)
}

// parseTime reads RFC 3339 or Unix seconds; "" is the Unix epoch.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	var sec int64
	if _, err := fmt.Sscan(s, &sec); err == nil && fmt.Sprint(sec) == s {
		return time.Unix(sec, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q: want RFC 3339 or Unix seconds", s)
}
