package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/bmcuser"
	bmccollector "github.com/hwagent/hwagent/collectors/bmc"
	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
)

// BMCReporter is a Server that takes BMC provisioning reports;
// *client.Client is one.
type BMCReporter interface {
	PutBMCCredentials(ctx context.Context, m client.Machine, rep api.BMCCredentialsReport) error
}

// bmcTimeout bounds the whole in-band provisioning: on a BMC answering in
// a millisecond it takes well under a second; a hung one costs one
// command timeout.
const bmcTimeout = 60 * time.Second

// provisionBMC carries out a BMC credentials request of the server: a new
// random password, the user ensured in-band, and a report with the
// password sealed to the server's key. Failures are reported, never
// fatal: the machine is registered either way. The password lives in this
// function's memory only; nothing logs it.
func (a *Agent) provisionBMC(ctx context.Context, req *api.BMCCredentialsRequest) error {
	start := time.Now()
	timed := &timedDevice{}
	rep, provisioned := a.ensureBMC(ctx, req, timed)
	rep.DurationSeconds = time.Since(start).Seconds()
	log := a.logger.With("user", rep.User, "status", rep.Status, "slot", rep.Slot, "inband_duration", time.Since(start).Round(100*time.Microsecond),
		"bmc_commands", timed.count, "bmc_command_time", timed.total.Round(100*time.Microsecond), "slowest_bmc_commands", timed.slowestCommands())
	reporter, ok := a.opts.Server.(BMCReporter)
	if !ok {
		log.Warn("this agent's server client cannot report BMC credentials")
		return nil
	}
	err := a.withMachine(ctx, "BMC credentials report", func(ctx context.Context, m client.Machine) error {
		return reporter.PutBMCCredentials(ctx, m, rep)
	})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		// Not fatal either: the machine is registered and must go on
		// checking in (a server restarted without its BMC policy, or with
		// another seal key, refuses the report for good).
		if provisioned {
			log.Error("the BMC has a new password the server never received: rotate it (hwagent machines action ID rotate-bmc-password)", "err", err)
		} else {
			log.Warn("BMC credentials report not delivered", "err", err)
		}
		return nil
	}
	switch rep.Status {
	case "ok":
		log.Info("BMC credentials provisioned", "changes", rep.Changes, "total_duration", time.Since(start).Round(100*time.Microsecond))
	case StatusSealKeyUntrusted, StatusSealKeyMismatch:
		log.Error("BMC credentials not provisioned: the seal key is not trusted", "err", rep.Error)
	default:
		log.Warn("BMC credentials not provisioned", "err", rep.Error)
	}
	return nil
}

// Reasons the agent refuses a BMC credentials request before touching the
// BMC (reported as the status).
const (
	// StatusSealKeyUntrusted: no pinned key and a server that is not
	// authenticated (plain HTTP, --insecure-skip-verify).
	StatusSealKeyUntrusted = "seal_key_untrusted"
	// StatusSealKeyMismatch: the request's key is not the pinned one.
	StatusSealKeyMismatch = "seal_key_mismatch"
)

// trustSealKey decides whether a password may be sealed to key, the
// public key a registration answer carried: it must be the pinned key
// (Options.BMCSealKey) when there is one, else have come from an
// authenticated server. It returns the status to report when not.
func (a *Agent) trustSealKey(key string) (string, error) {
	if _, err := bmcseal.ParsePublicKey(key); err != nil {
		return bmcuser.ReasonInvalid, err
	}
	pin := a.opts.BMCSealKey
	switch auth, _ := a.opts.Server.(ServerAuthenticator); {
	case pin != "" && !bmcseal.SameKey(pin, key):
		return StatusSealKeyMismatch, fmt.Errorf("the server's BMC seal key %s is not the pinned one (--bmc-seal-pubkey %s): a man in the middle may have replaced it, or the server's key changed; no BMC user provisioned", key, pin)
	case pin != "":
		return "", nil
	case auth == nil || !auth.ServerAuthenticated():
		return StatusSealKeyUntrusted, errors.New("the BMC seal key came in the registration answer over a connection that does not authenticate the server (plain HTTP or --insecure-skip-verify): whoever answered could have sent its own key and would read the BMC password; no BMC user provisioned. Pin the server's key with --bmc-seal-pubkey (kernel parameter hwagent.bmc_seal_pubkey=, HWAGENT_BMC_SEAL_PUBKEY; hwagent bmc seal-key --public FILE prints it), or reach the server over https with a verified certificate")
	}
	return "", nil
}

// ensureBMC runs the in-band part and builds the report; provisioned is
// true when a new password reached the BMC.
func (a *Agent) ensureBMC(ctx context.Context, req *api.BMCCredentialsRequest, timed *timedDevice) (api.BMCCredentialsReport, bool) {
	rep := api.BMCCredentialsReport{User: req.User, Privilege: req.Privilege}
	failed := func(status string, err error) (api.BMCCredentialsReport, bool) {
		rep.Status, rep.Error = status, err.Error()
		return rep, false
	}
	priv, err := ipmi.ParsePrivilege(req.Privilege)
	if err != nil {
		return failed(bmcuser.ReasonInvalid, err)
	}
	if req.Channel < 0 || req.Channel > ipmi.MaxLANChannel {
		return failed(bmcuser.ReasonInvalid, fmt.Errorf("channel %d: want 0 to %d", req.Channel, ipmi.MaxLANChannel))
	}
	if status, err := a.trustSealKey(req.SealKey); err != nil {
		return failed(status, err) // before touching the BMC
	}
	password, err := bmcuser.GeneratePassword()
	if err != nil {
		return failed("failed", err)
	}
	// Sealed while the BMC is talked to: the guest's CPU is idle while
	// each command waits for the BMC's answer (4–8 ms of the in-band time
	// in the TCG e2e when done after).
	type sealResult struct {
		sealed string
		err    error
	}
	sealing := make(chan sealResult, 1)
	go func() {
		secret, err := json.Marshal(api.BMCSecret{MachineID: a.machine.ID, User: req.User, Password: password})
		var sealed string
		if err == nil {
			sealed, err = bmcseal.Seal(req.SealKey, secret)
		}
		sealing <- sealResult{sealed, err}
	}()
	open := a.opts.OpenBMC
	if open == nil {
		open = func() (ipmi.Device, error) {
			dev, _, err := bmccollector.OpenDevice(a.env.Paths)
			return dev, err
		}
	}
	dev, err := open()
	if err != nil {
		if errors.Is(err, bmccollector.ErrNoDevice) {
			return failed("no_bmc", err)
		}
		return failed("failed", fmt.Errorf("open the IPMI device: %w", err))
	}
	defer a.inBackground(func() { dev.Close() })
	timed.Device = dev
	ctx, cancel := context.WithTimeout(ctx, bmcTimeout)
	defer cancel()
	res, err := bmcuser.Ensure(ctx, ipmi.NewClient(timed, a.env.Config.IPMITimeout), bmcuser.Request{
		User: req.User, Password: password, Privilege: priv, Channel: uint8(req.Channel),
	})
	if res != nil {
		rep.Slot, rep.Channel = int(res.Slot), int(res.Channel)
		rep.Changes = append(append(rep.Changes, res.Changes...), res.Warnings...)
		if len(rep.Changes) > 64 {
			rep.Changes = rep.Changes[:64]
		}
	}
	provisioned := res != nil && res.PasswordForm != 0
	if err != nil {
		rep.Status, rep.Error = bmcuser.ReasonOf(err), err.Error()
		if !provisioned {
			return rep, false
		}
		// The password is on the BMC although a later step failed: the
		// server must have it.
	} else {
		rep.Status = "ok"
	}
	sealed := <-sealing
	if sealed.err != nil {
		return failed("failed", sealed.err)
	}
	rep.SealedPassword = sealed.sealed
	return rep, provisioned
}

// bmcFromConfig provisions the BMC user the registration answer asked
// for, once per registration.
func (a *Agent) bmcFromConfig(ctx context.Context) error {
	req := a.config.BMCCredentials
	if req == nil {
		return nil
	}
	a.config.BMCCredentials = nil // asked once; a rotation brings its own
	a.lastBMC = req
	return a.provisionBMC(ctx, req)
}
