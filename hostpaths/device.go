package hostpaths

// OpenDevice opens a device node of the host (a path under the Dev tree)
// through the host's Machine: the kernel's on a live host, ErrRecorded on
// a recording, so a replay never reads the machine it runs on.
func (p *Paths) OpenDevice(name string) (Device, error) {
	return p.Machine().OpenDevice(name)
}
