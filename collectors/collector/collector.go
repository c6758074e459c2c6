// Package collector defines the contract every hwagent collector implements
// and the environment it runs in. The list of collectors and the runner live
// in the parent package collectors.
package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/smbios"
	"github.com/hwagent/hwagent/tpm"
)

// Apply writes a collector's result into the inventory. The runner calls the
// Apply functions one at a time, in the order of the collector list, after
// every collector has finished, so an Apply may read sections that earlier
// collectors filled (LLDP attaches neighbours to the network section).
type Apply func(inv *inventory.Inventory)

// Collector gathers one concern.
type Collector interface {
	// Name is the collector's name for --collectors and reports.
	Name() string
	// Collect reads the host and returns how to apply what it found. It
	// returns an error wrapping ErrNotApplicable when the concern does not
	// exist on this machine, a *PartialError with a non-nil Apply when some
	// reads failed, or any other error when it produced nothing.
	Collect(ctx context.Context, env *Env) (Apply, error)
}

// Phase says when a collector runs relative to the first reports of a
// machine. A one-shot collection (dump, snapshot, register) runs every
// phase at once; `hwagent run` runs them in turn: Identity, the
// registration, First, the first inventory update, then Late in the
// background.
type Phase int

const (
	// First collectors read the host and return. The agent runs them
	// right after its registration and sends the inventory they complete
	// as its first update (the registration lists them as
	// inventory.StatusPending). Most collectors are First.
	First Phase = iota
	// Late collectors wait for something to arrive (LLDP listens for a
	// switch's frames up to --lldp-wait). The agent runs them in the
	// background after the first report and applies their result to its
	// current inventory when they finish, and again after each new
	// collection of the others. So a Late collector's Apply must be
	// idempotent: applied to an inventory that already holds an earlier
	// result of it, it replaces that result.
	Late
	// Identity collectors read what a server tells machines apart by
	// (inventory.DeriveIdentity: SMBIOS system and baseboard, the NICs'
	// MACs; the TPM's keys for TPM-bound identity) and the host facts it
	// lists a machine by (hostname, kernel command line). The agent
	// registers as soon as they are done: keep them few and fast, and
	// never let a First or Late collector's Apply change what they
	// filled in a way inventory.DeriveIdentity reads.
	Identity
)

func (p Phase) String() string {
	switch p {
	case Late:
		return "late"
	case Identity:
		return "identity"
	}
	return "first"
}

// Phased is implemented by collectors that are not First.
type Phased interface {
	Phase() Phase
}

// PhaseOf is c's phase: First unless c says otherwise.
func PhaseOf(c Collector) Phase {
	if p, ok := c.(Phased); ok {
		return p.Phase()
	}
	return First
}

// ErrNotApplicable marks a concern absent from this machine: no BMC, no
// SMBIOS table. It is not a failure.
var ErrNotApplicable = errors.New("not applicable")

// NotApplicable returns an error wrapping ErrNotApplicable with a reason.
func NotApplicable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotApplicable, fmt.Sprintf(format, args...))
}

// PartialError carries the warnings of a collector that produced a section
// with gaps.
type PartialError struct {
	Warnings []string
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("partial: %s", strings.Join(e.Warnings, "; "))
}

// Warnings accumulates non-fatal problems; it is safe for concurrent use.
type Warnings struct {
	mu   sync.Mutex
	list []string
}

// Addf records a warning.
func (w *Warnings) Addf(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, fmt.Sprintf(format, args...))
}

// Add records err as a warning unless it is nil.
func (w *Warnings) Add(err error) {
	if err != nil {
		w.Addf("%v", err)
	}
}

// Err returns a *PartialError when warnings were recorded, else nil.
func (w *Warnings) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.list) == 0 {
		return nil
	}
	return &PartialError{Warnings: append([]string(nil), w.list...)}
}

// Env is what every collector gets: where the host is, a logger, the
// configuration, and data shared between collectors (the SMBIOS table, parsed
// once).
type Env struct {
	Paths  *hostpaths.Paths
	Logger *slog.Logger
	Config Config

	shared *shared
}

// shared is the state all copies of an Env share.
type shared struct {
	// paths are the Env's Paths as NewEnv was given them, each read
	// bounded: what the shared readers use, whichever copy of the Env
	// calls them first.
	paths *hostpaths.Paths

	smbiosOnce sync.Once
	smbiosInfo *smbios.Table
	smbiosErr  error

	tpmOnce sync.Once
	tpm     *tpm.TPM
}

// Config holds settings collectors read. Zero values mean the defaults.
type Config struct {
	// PCIIDsPath is a pci.ids file to use instead of searching the host;
	// "none" means no PCI names at all.
	PCIIDsPath string
	// PCIIDsFallback are pci.ids files on the agent's own filesystem, tried
	// when the host has none (the container image ships one; an in-memory
	// OS usually does not).
	PCIIDsFallback []string
	// LLDPWait is how long the LLDP collector listens; 0 skips listening.
	LLDPWait time.Duration
	// LLDPLinkUp brings down interfaces up for LLDP and restores them after.
	LLDPLinkUp bool
	// LLDPStopFirmwareAgent stops the i40e/ice firmware LLDP agent (opt-in).
	LLDPStopFirmwareAgent bool
	// LLDPInterfaces, when set, are exactly the interfaces LLDP listens on
	// (virtual ones such as veth included); else every physical NIC.
	LLDPInterfaces []string
	// LLDPProgress, when set, is called as the LLDP collector waits.
	LLDPProgress func(remaining time.Duration, heard, waiting int)
	// IPMITimeout bounds one IPMI command.
	IPMITimeout time.Duration
}

// NewEnv returns an Env for paths; a nil logger discards.
func NewEnv(paths *hostpaths.Paths, logger *slog.Logger, cfg Config) *Env {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Env{Paths: paths, Logger: logger, Config: cfg, shared: &shared{paths: paths.Bounded()}}
}

// WithPaths returns a copy of e that reads the host through paths and
// shares e's parsed data.
func (e *Env) WithPaths(paths *hostpaths.Paths) *Env {
	c := *e
	c.Paths = paths
	return &c
}

// WithLogger returns a copy of e that logs to logger and shares e's parsed
// data.
func (e *Env) WithLogger(logger *slog.Logger) *Env {
	c := *e
	c.Logger = logger
	return &c
}

// SMBIOS returns the host's SMBIOS table, read and parsed on first use.
// The error wraps ErrNotApplicable when the host exports no table.
func (e *Env) SMBIOS() (*smbios.Table, error) {
	s := e.shared
	s.smbiosOnce.Do(func() {
		s.smbiosInfo, s.smbiosErr = loadSMBIOS(s.paths)
		if errors.Is(s.smbiosErr, smbios.ErrNoTable) {
			s.smbiosErr = fmt.Errorf("%w: %w", ErrNotApplicable, s.smbiosErr)
		}
	})
	return s.smbiosInfo, s.smbiosErr
}

// TPM returns the host's TPM 2.0 as the tpm collector and the agent share
// it: the device is found through Paths at each use and held open only
// while a call runs; the identity the collector read is kept, so that the
// registration's evidence and the challenge's answer come from the same
// keys.
func (e *Env) TPM() *tpm.TPM {
	s := e.shared
	s.tpmOnce.Do(func() { s.tpm = tpm.New(tpm.HostOpener(s.paths)) })
	return s.tpm
}
