package agent

// Power turns the machine off or restarts it. The agent obeys the server's
// reboot and poweroff actions through it; tests pass a fake.
type Power interface {
	// Reboot restarts the machine. On success it does not return on real
	// hardware.
	Reboot() error
	// PowerOff turns the machine off.
	PowerOff() error
}
