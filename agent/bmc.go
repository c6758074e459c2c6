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
	rep, provisioned := a.ensureBMC(ctx, req)
	rep.DurationSeconds = time.Since(start).Seconds()
	log := a.logger.With("user", rep.User, "status", rep.Status, "slot", rep.Slot, "inband_duration", time.Since(start).Round(100*time.Microsecond))
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
	switch {
	case rep.Status == "ok":
		log.Info("BMC credentials provisioned", "changes", rep.Changes, "total_duration", time.Since(start).Round(100*time.Microsecond))
	default:
		log.Warn("BMC credentials not provisioned", "err", rep.Error)
	}
	return nil
}

// ensureBMC runs the in-band part and builds the report; provisioned is
// true when a new password reached the BMC.
func (a *Agent) ensureBMC(ctx context.Context, req *api.BMCCredentialsRequest) (api.BMCCredentialsReport, bool) {
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
	if _, err := bmcseal.Seal(req.SealKey, nil); err != nil {
		return failed(bmcuser.ReasonInvalid, err) // before touching the BMC
	}
	password, err := bmcuser.GeneratePassword()
	if err != nil {
		return failed("failed", err)
	}
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
	defer dev.Close()
	ctx, cancel := context.WithTimeout(ctx, bmcTimeout)
	defer cancel()
	res, err := bmcuser.Ensure(ctx, ipmi.NewClient(dev, a.env.Config.IPMITimeout), bmcuser.Request{
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
	secret, err := json.Marshal(api.BMCSecret{MachineID: a.machine.ID, User: req.User, Password: password})
	if err == nil {
		rep.SealedPassword, err = bmcseal.Seal(req.SealKey, secret)
	}
	if err != nil {
		return failed("failed", err)
	}
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
