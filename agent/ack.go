package agent

import (
	"context"
	"slices"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
)

// maxObeyed bounds the action IDs the agent remembers having obeyed.
const maxObeyed = 64

// acknowledge tells the server the agent has the action of that ID, before
// obeying it: the server keeps an action pending until then, so an answer
// lost on the way is answered again (at-least-once), and the agent obeys
// an ID at most once. It returns true when the agent should obey: the
// server confirmed the acknowledgement (now, or earlier when only its
// answer was lost) and the ID was not obeyed before. An unconfirmed one
// (the operator replaced or cleared the action meanwhile, or the machine
// was deleted) is not obeyed; the next check-in brings what is pending.
func (a *Agent) acknowledge(ctx context.Context, action, id string) (bool, error) {
	again := slices.Contains(a.obeyed, id)
	var resp *api.CheckinResponse
	err := a.withMachine(ctx, "action acknowledgement", func(ctx context.Context, m client.Machine) (err error) {
		req := a.checkinRequest(api.StateRegistered)
		req.AckActionID = id
		resp, err = a.opts.Server.Checkin(ctx, m, req)
		return err
	})
	if err != nil {
		return false, err
	}
	a.serverInterval(resp.CheckinIntervalSeconds)
	switch {
	case again:
		a.logger.Warn("the server sent an action this agent already obeyed; not obeyed again", "action", action, "action_id", id)
		return false, nil
	case resp.AckedActionID != id:
		a.logger.Warn("the server did not confirm the action's acknowledgement (replaced or cleared since); not obeyed", "action", action, "action_id", id)
		return false, nil
	}
	a.obeyed = append(a.obeyed, id)
	if len(a.obeyed) > maxObeyed {
		a.obeyed = a.obeyed[len(a.obeyed)-maxObeyed:]
	}
	return true, nil
}
