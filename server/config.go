package server

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store"
)

// Config configures a Server.
type Config struct {
	// Store keeps the machines. Required.
	Store store.Store
	// Logger receives one line per request and the server's errors; nil
	// discards them.
	Logger *slog.Logger
	// EnrollToken authenticates registrations. Required.
	EnrollToken string
	// AdminToken authenticates the operator API; empty disables it (every
	// operator request is answered 401).
	AdminToken string
	// CheckinInterval is told to agents (default 30 s).
	CheckinInterval time.Duration
	// Push is the configuration pushed to agents at registration.
	Push api.AgentConfig
	// MaxBodyBytes bounds request bodies (default 4 MiB).
	MaxBodyBytes int64
	// MaxHeavy bounds registrations and inventory uploads processed at once
	// (default 64); MaxCheckins bounds check-ins (default 256).
	MaxHeavy, MaxCheckins int
	// QueueTimeout is how long a request may wait for a slot before it is
	// answered 429 (default 5 s).
	QueueTimeout time.Duration
	// BodyTimeout bounds the time spent reading one request body, which
	// happens before the request takes a slot: a slower body is answered
	// 408 (default 10 s).
	BodyTimeout time.Duration
	// MaxBodyMemory bounds the bytes of request bodies read and not yet
	// processed, all requests together (default 16 MiB); a request waits
	// up to QueueTimeout for room, then gets 429.
	MaxBodyMemory int64
	// MaxPerCredential bounds the requests one machine credential has in
	// progress at once (default 4); more are answered 429 at once.
	MaxPerCredential int
	// MaxConnections bounds the client connections Serve holds (default
	// DefaultMaxConnections): past it, a new connection is accepted once
	// the longest idle one is closed, or another one ends (conns.go).
	MaxConnections int
	// Registerer receives the server's metrics; nil means a private
	// registry (exposed on /metrics either way when Gatherer is nil).
	Registerer prometheus.Registerer
	// Gatherer serves /metrics; nil means the private registry.
	Gatherer prometheus.Gatherer
	// BMC is the BMC credentials policy; nil: the server asks for no BMC
	// user and refuses BMC reports.
	BMC *BMCPolicy
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Reenroll decides registrations that would take over a known machine
	// (`--reenroll`); nil means reenroll.AllowAll.
	Reenroll reenroll.Policy
	// Marked, when set, is called with a machine's ID after a
	// registration or inventory upload was stored (serve --kubeconfig:
	// wakes the Kubernetes syncer).
	Marked func(machineID string)
	// Collectors are more metrics for the server's private registry.
	Collectors []prometheus.Collector
}

// Defaults.
const (
	DefaultCheckinInterval  = 30 * time.Second
	DefaultMaxBodyBytes     = 4 << 20
	DefaultMaxHeavy         = 64
	DefaultMaxCheckins      = 256
	DefaultQueueTimeout     = 5 * time.Second
	DefaultBodyTimeout      = 10 * time.Second
	DefaultMaxBodyMemory    = 16 << 20
	DefaultMaxPerCredential = 4
	// DefaultMaxConnections: past seven eighths of them answers close
	// their connections, so a 10,000-machine burst or fleet needs no
	// more; each costs memory (bench/load: a 10,000 burst's peak RSS
	// 222 MiB with 2048, 162 MiB with 1024).
	DefaultMaxConnections = 1024
	// MinTokenLength is the shortest enrollment or admin token accepted.
	MinTokenLength = 16
)

func (c *Config) validate() error {
	if c.Store == nil {
		return errors.New("server: no store")
	}
	if len(c.EnrollToken) < MinTokenLength {
		return errors.New("server: the enrollment token must be at least 16 characters")
	}
	if c.AdminToken != "" && len(c.AdminToken) < MinTokenLength {
		return errors.New("server: the admin token must be at least 16 characters")
	}
	if c.AdminToken != "" && c.AdminToken == c.EnrollToken {
		return errors.New("server: the admin token must differ from the enrollment token")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.CheckinInterval <= 0 {
		c.CheckinInterval = DefaultCheckinInterval
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxHeavy <= 0 {
		c.MaxHeavy = DefaultMaxHeavy
	}
	if c.MaxCheckins <= 0 {
		c.MaxCheckins = DefaultMaxCheckins
	}
	if c.QueueTimeout <= 0 {
		c.QueueTimeout = DefaultQueueTimeout
	}
	if c.BodyTimeout <= 0 {
		c.BodyTimeout = DefaultBodyTimeout
	}
	if c.MaxBodyMemory <= 0 {
		c.MaxBodyMemory = DefaultMaxBodyMemory
	}
	if c.MaxBodyMemory < c.MaxBodyBytes+largeStep {
		return fmt.Errorf("server: the body memory budget (%d bytes) must hold one body of the largest size (%d bytes) and more", c.MaxBodyMemory, c.MaxBodyBytes)
	}
	if c.MaxPerCredential <= 0 {
		c.MaxPerCredential = DefaultMaxPerCredential
	}
	if c.MaxConnections <= 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.BMC != nil {
		if err := c.BMC.validate(); err != nil {
			return err
		}
	}
	if c.Reenroll == nil {
		c.Reenroll = reenroll.AllowAll{}
	}
	return nil
}
