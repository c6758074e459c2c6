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
	mods    []Module
}

// NewGuest fetches (or reuses) the kernel and the hwagent build and
// resolves modules.
func NewGuest(ctx context.Context, modules ...string) (*Guest, error) {
	k, err := DebianKernel(ctx)
	if err != nil {
		return nil, err
	}
	bin, err := Hwagent(ctx)
	if err != nil {
		return nil, err
	}
	mods, err := k.Modules(modules...)
	if err != nil {
		return nil, err
	}
	g := &Guest{Kernel: k, Hwagent: bin, mods: mods, ModuleNames: make([]string, len(mods))}
	for i, m := range mods {
		g.ModuleNames[i] = m.Name
	}
	return g, nil
}

// Initramfs returns a new initramfs with busybox, the guest's modules and
// hwagent at /bin/hwagent.
func (g *Guest) Initramfs() (*Initramfs, error) {
	r := NewInitramfs()
	if err := r.Busybox(); err != nil {
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
