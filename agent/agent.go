package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hwagent/hwagent/collectors"
	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
)

// Server is the provisioning server as the agent uses it; *client.Client
// implements it.
type Server interface {
	// RegisterTPM registers inv with the machine's TPM evidence (nil:
	// none); the answer may be a TPM challenge (client.Client.RegisterTPM).
	RegisterTPM(ctx context.Context, inv *inventory.Inventory, ev *api.TPMEvidence) (*api.RegisterResponse, error)
	Checkin(ctx context.Context, m client.Machine, req api.CheckinRequest) (*api.CheckinResponse, error)
	PutInventory(ctx context.Context, m client.Machine, inv *inventory.Inventory) error
}

// Options configure an Agent.
type Options struct {
	// Server is the provisioning server.
	Server Server
	// Env is the collectors' environment (host paths, configuration).
	Env *collector.Env
	// Specs are the collectors to run, Late ones (LLDP) included.
	Specs []collectors.Spec
	// All are every known collector, for lists the server pushes.
	All []collectors.Spec
	// Version is the agent's version, sent with check-ins.
	Version string
	// Mode is the inventory's agent mode: "run" or "register".
	Mode string
	// Interval is the check-in interval until the server gives one; 0
	// means DefaultInterval.
	Interval time.Duration
	// Backoff shapes the retries.
	Backoff client.Backoff
	// StartJitter is the upper bound of the random delay before the first
	// request, so that a rack powering on does not arrive as one spike.
	StartJitter time.Duration
	// Rand draws the start delay (and the backoff's jitter when
	// Backoff.Rand is nil); nil means the global source.
	Rand client.Rand
	// Sleep waits; nil means a real timer. Tests may record the waits.
	Sleep func(ctx context.Context, d time.Duration) error
	// Power carries out reboot and poweroff; nil means Kernel.
	Power Power
	// WorkflowStarted says whether a Tinkerbell workflow has started on
	// the machine, with the evidence ("" when not). Once one has, the
	// agent carries out no reboot or power-off and releases itself: it is
	// asked right before reboot(2), and every WorkflowPoll (default
	// DefaultWorkflowPoll) once registered. nil: never asked (agent/workflow
	// Detect in production).
	WorkflowStarted func() (string, error)
	WorkflowPoll    time.Duration
	// OpenBMC opens the in-band IPMI device for BMC provisioning the
	// server asks for; nil means the host's /dev/ipmi0 through Env.Paths.
	OpenBMC func() (ipmi.Device, error)
	// BMCSealKey is the server's BMC seal public key pinned on the agent
	// (--bmc-seal-pubkey). BMC passwords are sealed to it only: a request
	// carrying another key is refused (seal_key_mismatch). Without it a
	// request is carried out only when Server authenticates the server
	// (ServerAuthenticator): the key arrives in the registration answer,
	// and over plain HTTP whoever answers in the server's name could send
	// its own and read the password (seal_key_untrusted).
	BMCSealKey string
	// Logger receives the agent's progress; nil discards.
	Logger *slog.Logger
}

// ServerAuthenticator is a Server that can tell whether its answers come
// from the server itself (https with a verified certificate);
// *client.Client is one. A Server that is not one is not authenticated.
type ServerAuthenticator interface {
	ServerAuthenticated() bool
}

// DefaultInterval is the check-in interval before the server gives one.
const DefaultInterval = 30 * time.Second

// Outcome is how Run ended without an error.
type Outcome string

// Outcomes of Run.
const (
	// Released: the server released the machine; the agent should exit 0.
	Released Outcome = "released"
	// Rebooting and PoweringOff: the kernel was asked to; on real hardware
	// Run does not see this return.
	Rebooting   Outcome = "rebooting"
	PoweringOff Outcome = "powering_off"
)

// Registration is the server's acknowledgement of a registration.
type Registration struct {
	Machine  client.Machine
	Interval time.Duration
	Config   api.AgentConfig
}

// Agent is one machine's boot-time loop. Its methods are not safe for
// concurrent use.
type Agent struct {
	opts   Options
	logger *slog.Logger
	sleep  func(ctx context.Context, d time.Duration) error
	power  Power

	ident, first, late []collectors.Spec // the Specs by phase (collectors.ByPhase)
	env                *collector.Env

	machine     client.Machine
	interval    time.Duration
	inv         *inventory.Inventory       // the current inventory (rebuild)
	collectedAt time.Time                  // when the current collection started
	found       collectors.Results         // what its Identity and First collectors found so far
	pending     []collectors.Spec          // its First collectors not run yet
	firstRun    *phaseRun                  // the pending First collectors running, if they are
	firstStart  time.Time                  // when they started
	lateRes     *collectors.Results        // what the Late collectors found, once they did
	lateRun     *phaseRun                  // the Late collection in progress, if any
	held        bool                       // the last registration waits for an operator's approval
	sent        string                     // digest of the inventory the server holds
	config      api.AgentConfig            // pushed by the server at the last registration
	lastBMC     *api.BMCCredentialsRequest // the last BMC user the server asked for
	obeyed      []string                   // IDs of the actions obeyed, latest last
	releases    sync.WaitGroup             // devices being released in the background (agent/release.go)
}

// New returns an agent.
func New(opts Options) (*Agent, error) {
	if opts.Server == nil || opts.Env == nil {
		return nil, errors.New("agent: Server and Env are required")
	}
	a := &Agent{opts: opts, logger: opts.Logger, sleep: opts.Sleep, power: opts.Power, env: opts.Env, interval: opts.Interval}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	if a.sleep == nil {
		a.sleep = client.Sleep
	}
	if a.power == nil {
		a.power = Kernel{}
	}
	if a.interval <= 0 {
		a.interval = DefaultInterval
	}
	if a.opts.Backoff.Rand == nil {
		a.opts.Backoff.Rand = opts.Rand
	}
	a.ident, a.first, a.late = collectors.ByPhase(opts.Specs)
	return a, nil
}

// current is the inventory to send now, secrets redacted.
func (a *Agent) current() *inventory.Inventory {
	return redact(a.inv)
}

// retrier returns a Retrier that logs each failed attempt at what.
func (a *Agent) retrier(what string) client.Retrier {
	return client.Retrier{
		Backoff: a.opts.Backoff,
		Sleep:   a.sleep,
		OnRetry: func(n int, wait time.Duration, err error) {
			a.logger.Warn(what+" failed; retrying", "attempt", n, "wait", wait.Round(time.Millisecond), "err", err)
		},
	}
}

// startDelay waits the random start delay; before, when there is one to
// wait, it calls waiting (nil: nothing).
func (a *Agent) startDelay(ctx context.Context, waiting func()) error {
	d := client.Jitter(a.opts.Rand, a.opts.StartJitter)
	if d <= 0 {
		return nil
	}
	if waiting != nil {
		waiting()
	}
	a.logger.Info("waiting before the first request", "delay", d.Round(time.Millisecond), "max", a.opts.StartJitter)
	return a.sleep(ctx, d)
}

// register sends the current inventory until the server acknowledges it.
// failed, when not nil, is called after each failed attempt, before the
// wait.
func (a *Agent) register(ctx context.Context, failed func()) error {
	var resp *api.RegisterResponse
	var inv *inventory.Inventory
	r := a.retrier("registration")
	if failed != nil {
		logRetry := r.OnRetry
		r.OnRetry = func(n int, wait time.Duration, err error) {
			logRetry(n, wait, err)
			failed()
		}
	}
	err := r.Do(ctx, func(ctx context.Context) (err error) {
		a.pollFirst() // finished while the agent waited: everything goes
		inv = a.current()
		ev := a.tpmEvidence()
		resp, err = a.opts.Server.RegisterTPM(ctx, inv, ev)
		if err != nil || ev == nil || resp.TPMChallenge == nil {
			return err
		}
		resp, err = a.answerChallenge(ctx, inv, ev, resp.TPMChallenge)
		return err
	})
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	a.machine = client.Machine{ID: resp.MachineID, Credential: secret.Value(resp.Credential)}
	a.serverInterval(resp.CheckinIntervalSeconds)
	a.config = resp.Config
	// Logged as soon as the answer is in: the digest below is for the
	// check-ins that follow.
	a.logger.Info("registered", "machine", resp.MachineID, "checkin_interval", a.interval)
	if resp.PendingApproval {
		// The server's --reenroll policy holds this takeover of a known
		// machine: the credential works once an operator approves, and
		// check-ins meanwhile answer "none".
		a.logger.Warn("registration held until an operator approves it (hwagent machines approve)", "machine", resp.MachineID, "pending", resp.PendingID)
	}
	a.sent = inventory.Digest(inv)
	return nil
}

// Register is the one-shot mode: wait the start delay, collect (the late
// collectors too, synchronously, when their wait is not 0), and register
// until the server acknowledges or ctx ends. A deadline on ctx bounds the
// retries.
func (a *Agent) Register(ctx context.Context) (*Registration, error) {
	defer a.releases.Wait()
	if err := a.collectFirst(ctx); err != nil {
		return nil, err
	}
	if len(a.late) > 0 {
		a.applyLate(collectors.Gather(ctx, a.env, a.late))
	}
	if err := a.startDelay(ctx, nil); err != nil {
		return nil, err
	}
	if err := a.register(ctx, nil); err != nil {
		return nil, err
	}
	if err := a.bmcFromConfig(ctx); err != nil {
		return nil, err
	}
	return &Registration{Machine: a.machine, Interval: a.interval, Config: a.config}, nil
}
