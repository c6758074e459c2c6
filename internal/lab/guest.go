package lab

import "context"

// Guest is what every guest that runs hwagent starts from: the Debian
// kernel, the named kernel modules with their dependencies, and the agent
// build of hwagent. Initramfs gives a fresh initramfs holding busybox, the
// modules and /bin/hwagent; callers add their own files and /init.
type Guest struct {
	Kernel *Kernel
	// ModuleNames are the modules in load order, for InitScript.Modules.
	ModuleNames []string
	// Hwagent is the host path of the agent build (see Hwagent).
	Hwagent string
	// Arch is the guest's Go architecture ("amd64", "arm64").
	Arch    string
	busybox string
	mods    []Module
}

// NewGuest fetches (or reuses) the kernel and the hwagent build and
// resolves modules.
func NewGuest(ctx context.Context, modules ...string) (*Guest, error) {
	return NewGuestFor(ctx, "amd64", modules...)
}

// NewGuestFor is NewGuest for a guest architecture, "amd64" or "arm64":
// Debian's kernel and static busybox of that architecture and the agent
// built for it.
func NewGuestFor(ctx context.Context, goarch string, modules ...string) (*Guest, error) {
	k, err := DebianKernelFor(ctx, DebianArch(goarch))
	if err != nil {
		return nil, err
	}
	bin, err := HwagentFor(ctx, goarch)
	if err != nil {
		return nil, err
	}
	bb, err := BusyboxFor(ctx, goarch)
	if err != nil {
		return nil, err
	}
	mods, err := k.Modules(modules...)
	if err != nil {
		return nil, err
	}
	g := &Guest{Kernel: k, Hwagent: bin, Arch: goarch, busybox: bb, mods: mods, ModuleNames: make([]string, len(mods))}
	for i, m := range mods {
		g.ModuleNames[i] = m.Name
	}
	return g, nil
}

// Initramfs returns a new initramfs with busybox, the guest's modules and
// hwagent at /bin/hwagent.
func (g *Guest) Initramfs() (*Initramfs, error) {
	r := NewInitramfs()
	if err := r.BusyboxFile(g.busybox); err != nil {
		return nil, err
	}
	if err := r.Modules(g.mods); err != nil {
		return nil, err
	}
	if err := r.HostFile("/bin/hwagent", g.Hwagent); err != nil {
		return nil, err
	}
	return r, nil
}
