package agent

import (
	"context"
	"errors"
	"time"

	"github.com/hwagent/hwagent/collectors"
	"github.com/hwagent/hwagent/collectors/host"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
)

// releaseTimeout bounds the final check-in that tells the server the agent
// is leaving.
const releaseTimeout = 30 * time.Second

// Run is the netboot mode: collect what identifies the machine (the
// Identity collectors), wait the start delay, register, send the rest of
// the inventory (the First collectors) as the first update, start the late
// collectors, then check in at the server's interval and obey its actions
// until it releases the machine (Released), the kernel is asked to reboot
// or power off, ctx ends, or the server answers with an error that
// retrying cannot fix.
func (a *Agent) Run(ctx context.Context) (Outcome, error) {
	if err := a.collectIdentity(ctx); err != nil {
		return "", err
	}
	defer a.stopLate()
	defer a.stopFirst()
	defer a.releases.Wait()
	// The First collectors and the late ones start when the agent would
	// otherwise wait: before the start delay, or once a registration
	// attempt failed; a registration attempt carries the First collectors'
	// sections when they are done. Without a wait they start right after
	// the registration: started earlier, they compete with the
	// registration for the CPU, which on a small or emulated machine
	// delays the registration more than it advances the rest.
	background := func() {
		a.startFirst(ctx)
		if len(a.late) > 0 && a.env.Config.LLDPWait > 0 && a.lateRun == nil {
			a.startLate(ctx)
		}
	}
	if err := a.startDelay(ctx, background); err != nil {
		return "", err
	}
	if err := a.register(ctx, background); err != nil {
		return "", err
	}
	if err := a.completeFirst(ctx); err != nil {
		return "", err
	}
	// The BMC user next: a few dozen commands on /dev/ipmi0 that the late
	// collectors, started by applyConfig, would slow down on a small or
	// emulated machine; LLDP waits for seconds anyway. After the first
	// update: the server checks the new login at the BMC address that
	// update carries.
	if err := a.bmcFromConfig(ctx); err != nil {
		return "", err
	}
	a.applyConfig(ctx)
	watch := a.watchWorkflow(ctx)
	defer watch.stop()

	timer := time.NewTimer(0) // the first check-in right after registering
	defer timer.Stop()
	for {
		var lateDone <-chan collectors.Results
		if a.lateRun != nil {
			lateDone = a.lateRun.done
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case ev := <-watch.foundCh():
			return a.stepAside(ctx, ev, ""), nil
		case r := <-lateDone:
			a.lateRun = nil
			a.applyLate(r)
			var sts []string
			for _, st := range r.Statuses() {
				sts = append(sts, st.Name+"="+string(st.Status))
			}
			a.logger.Info("late collectors finished", "interfaces_with_neighbours", withNeighbours(a.inv), "status", sts)
			if inventory.Digest(a.current()) != a.sent {
				if err := a.sendInventory(ctx); err != nil {
					return "", err
				}
			}
		case <-timer.C:
			outcome, err := a.checkin(ctx)
			if err != nil || outcome != "" {
				return outcome, err
			}
			timer.Reset(a.interval)
		}
	}
}

// withMachine runs op with the machine's credential, retrying what can be
// retried. When the server answers 401 or 404 (it lost its database, or an
// operator deleted the machine), the agent registers again and repeats op
// once with the new credential.
func (a *Agent) withMachine(ctx context.Context, what string, op func(context.Context, client.Machine) error) error {
	for again := false; ; again = true {
		err := a.retrier(what).Do(ctx, func(ctx context.Context) error { return op(ctx, a.machine) })
		if err == nil || again || !client.IsStatus(err, 401, 404) {
			return err
		}
		a.logger.Warn("the server no longer knows this machine; registering again", "machine", a.machine.ID, "err", err)
		if err := a.register(ctx, nil); err != nil {
			return err
		}
		a.applyConfig(ctx)
		if err := a.bmcFromConfig(ctx); err != nil {
			return err
		}
	}
}

// completeFirst follows a registration that listed First collectors as
// pending: it applies the server's collector list, runs them (or waits
// for the run the start delay began) and sends the inventory they
// complete, the first update.
func (a *Agent) completeFirst(ctx context.Context) error {
	a.applyCollectors()
	if len(a.pending) == 0 {
		return nil
	}
	a.finishFirst(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return a.sendInventory(ctx)
}

// checkin sends one check-in and carries out the action. A non-empty
// Outcome ends Run.
func (a *Agent) checkin(ctx context.Context) (Outcome, error) {
	var resp *api.CheckinResponse
	err := a.withMachine(ctx, "check-in", func(ctx context.Context, m client.Machine) (err error) {
		resp, err = a.opts.Server.Checkin(ctx, m, a.checkinRequest(api.StateRegistered))
		return err
	})
	if err != nil {
		return "", err
	}
	a.serverInterval(resp.CheckinIntervalSeconds)
	if resp.Action != api.ActionNone {
		a.logger.Info("action from the server", "action", resp.Action, "action_id", resp.ActionID, "machine", a.machine.ID)
	}
	if resp.ActionID != "" {
		obey, err := a.acknowledge(ctx, resp.Action, resp.ActionID)
		if err != nil || !obey {
			return "", err
		}
	}
	switch resp.Action {
	case api.ActionNone:
	case api.ActionSendInventory:
		if err := a.collectFirst(ctx); err != nil {
			a.logger.Warn("collecting again failed; sending the last inventory", "err", err)
		}
		return "", a.sendInventory(ctx)
	case api.ActionReboot, api.ActionPowerOff:
		return a.powerAction(ctx, resp.Action)
	case api.ActionRelease:
		a.release(ctx)
		return Released, nil
	case api.ActionRotateBMCPassword:
		req := resp.BMCCredentials
		if req == nil {
			req = a.lastBMC
		}
		if req == nil {
			a.logger.Warn("the server asked for a new BMC password without saying for which user; ignored")
			return "", nil
		}
		return "", a.provisionBMC(ctx, req)
	default:
		a.logger.Warn("unknown action from the server; ignored", "action", resp.Action)
	}
	return "", nil
}

func (a *Agent) checkinRequest(state string) api.CheckinRequest {
	req := api.CheckinRequest{State: state, InventoryDigest: inventory.Digest(a.current()), AgentVersion: a.opts.Version, AcksActions: true}
	if data, err := a.env.Paths.ReadFile(a.env.Paths.Proc("uptime")); err == nil {
		req.UptimeSeconds, _ = host.ParseUptime(data)
	}
	return req
}

// sendInventory PUTs the current inventory.
func (a *Agent) sendInventory(ctx context.Context) error {
	inv := a.current()
	err := a.withMachine(ctx, "inventory update", func(ctx context.Context, m client.Machine) error {
		return a.opts.Server.PutInventory(ctx, m, inv)
	})
	var se *client.StatusError
	if errors.As(err, &se) && se.Code == api.CodePendingApproval {
		// A server that keeps a held registration's inventory only as it
		// arrived: the check-ins after the approval ask for this one
		// (send_inventory: the digests differ).
		a.logger.Info("the inventory waits for the operator's approval of the registration", "machine", a.machine.ID)
		return nil
	}
	if errors.As(err, &se) && se.Code == api.CodeIdentityConflict {
		// The inventory carries another machine's identity key, or is
		// no longer this machine (docs/protocol.md, "Identity"): an upload
		// cannot say so, a registration can, and the server decides.
		a.logger.Warn("the server refused the inventory (identity conflict); registering again", "machine", a.machine.ID, "err", err)
		if err := a.register(ctx, nil); err != nil {
			return err
		}
		a.applyConfig(ctx)
		return nil
	}
	if err != nil {
		return err
	}
	a.sent = inventory.Digest(inv)
	a.logger.Info("inventory sent", "machine", a.machine.ID, "digest", a.sent)
	return nil
}

// powerAction asks the kernel to reboot or power off, unless a Tinkerbell
// workflow has started (the last look is right before reboot(2)): then it
// refuses, releases the machine and ends Run. When the kernel refuses (no
// CAP_SYS_BOOT), the agent logs why and keeps checking in, so that an
// operator can still release the machine.
func (a *Agent) powerAction(ctx context.Context, action string) (Outcome, error) {
	a.stopLate() // restore links the LLDP collector brought up
	warned := false
	if ev := a.workflowEvidence(&warned); ev != "" {
		return a.stepAside(ctx, ev, action), nil
	}
	do, outcome := a.power.Reboot, Rebooting
	if action == api.ActionPowerOff {
		do, outcome = a.power.PowerOff, PoweringOff
	}
	if err := do(); err != nil {
		a.logger.Error("the kernel refused; the container needs CAP_SYS_BOOT and the host PID namespace", "action", action, "err", err)
		return "", nil
	}
	return outcome, nil
}

// release tells the server the agent is leaving (state released), trying
// for a bounded time: the machine is released whatever the answer.
func (a *Agent) release(ctx context.Context) {
	a.stopLate()
	ctx, cancel := context.WithTimeout(ctx, releaseTimeout)
	defer cancel()
	err := a.retrier("released check-in").Do(ctx, func(ctx context.Context) error {
		_, err := a.opts.Server.Checkin(ctx, a.machine, a.checkinRequest(api.StateReleased))
		return err
	})
	if err != nil {
		a.logger.Warn("could not tell the server the machine is released; exiting anyway", "err", err)
		return
	}
	a.logger.Info("released; exiting so that workflows can run", "machine", a.machine.ID)
}

// withNeighbours counts the interfaces of inv with a neighbour.
func withNeighbours(inv *inventory.Inventory) int {
	n := 0
	if inv.Network != nil {
		for _, nic := range inv.Network.Interfaces {
			if len(nic.Neighbors) > 0 {
				n++
			}
		}
	}
	return n
}
