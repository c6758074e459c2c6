package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hwagent/hwagent/server/api"
)

// The operator API (the admin token, Options.AdminToken): what
// `hwagent machines` and `hwagent export --server` call.

// maxOperatorResponseBytes bounds one operator answer: a machine with its
// whole inventory, a page of machines, a page of history.
const maxOperatorResponseBytes = 64 << 20

// operator sends one operator request: no body when in is nil.
func (c *Client) operator(ctx context.Context, method, path string, in, out any) error {
	if c.adminToken == "" {
		return &PermanentError{fmt.Errorf("%s %s: no admin token: give --admin-token-file or HWAGENT_ADMIN_TOKEN", method, path)}
	}
	return c.call(ctx, request{method: method, path: path, token: c.adminToken, in: in, out: out, limit: maxOperatorResponseBytes})
}

// List returns every machine matching the filters (api.Query* keys),
// following pages.
func (c *Client) List(ctx context.Context, filters url.Values) ([]api.Machine, error) {
	var out []api.Machine
	q := url.Values{}
	for k, v := range filters {
		q[k] = v
	}
	for {
		var page api.MachineList
		path := api.PathMachines
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		if err := c.operator(ctx, http.MethodGet, path, nil, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Machines...)
		if page.Next == "" || len(page.Machines) == 0 {
			return out, nil
		}
		q.Set(api.QueryAfter, page.Next)
	}
}

// Get returns one machine with its inventory.
func (c *Client) Get(ctx context.Context, id string) (api.Machine, error) {
	var m api.Machine
	err := c.operator(ctx, http.MethodGet, fmt.Sprintf(api.PathMachineFmt, url.PathEscape(id)), nil, &m)
	return m, err
}

// Inventory returns a machine's latest inventory document exactly as the
// server holds it (fields this hwagent does not know included), or an
// error when the server has none.
func (c *Client) Inventory(ctx context.Context, id string) (json.RawMessage, error) {
	var m struct {
		Inventory json.RawMessage `json:"inventory"`
	}
	path := fmt.Sprintf(api.PathMachineFmt, url.PathEscape(id))
	if err := c.operator(ctx, http.MethodGet, path, nil, &m); err != nil {
		return nil, err
	}
	if len(m.Inventory) == 0 || string(m.Inventory) == "null" {
		return nil, fmt.Errorf("machine %s: the server has no inventory for it", id)
	}
	return m.Inventory, nil
}

// History returns a machine's changes.
func (c *Client) History(ctx context.Context, id string) (api.History, error) {
	var h api.History
	err := c.operator(ctx, http.MethodGet, fmt.Sprintf(api.PathHistoryFmt, url.PathEscape(id)), nil, &h)
	return h, err
}

// HistoryPage returns one page of a machine's history: at most limit
// changes (0: the server's default) after the cursor ("" from the first);
// its Next is the cursor of the next page.
func (c *Client) HistoryPage(ctx context.Context, id string, limit int, after string) (api.History, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set(api.QueryLimit, strconv.Itoa(limit))
	}
	if after != "" {
		q.Set(api.QueryAfter, after)
	}
	path := fmt.Sprintf(api.PathHistoryFmt, url.PathEscape(id))
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var h api.History
	err := c.operator(ctx, http.MethodGet, path, nil, &h)
	return h, err
}

// SetAction sets the pending action (api.ActionNone clears it) and returns
// the machine.
func (c *Client) SetAction(ctx context.Context, id, action string) (api.Machine, error) {
	var m api.Machine
	err := c.operator(ctx, http.MethodPut, fmt.Sprintf(api.PathActionFmt, url.PathEscape(id)), api.ActionRequest{Action: action}, &m)
	return m, err
}

// Approve lets a held registration take the machine over (pendingID may
// be empty when there is one) and returns the machine.
func (c *Client) Approve(ctx context.Context, id, pendingID string) (api.Machine, error) {
	var m api.Machine
	err := c.operator(ctx, http.MethodPost, fmt.Sprintf(api.PathApproveFmt, url.PathEscape(id)), api.ApprovalRequest{PendingID: pendingID}, &m)
	return m, err
}

// Reject drops a held registration (pendingID empty: all of them) and
// returns the machine.
func (c *Client) Reject(ctx context.Context, id, pendingID string) (api.Machine, error) {
	var m api.Machine
	err := c.operator(ctx, http.MethodPost, fmt.Sprintf(api.PathRejectFmt, url.PathEscape(id)), api.ApprovalRequest{PendingID: pendingID}, &m)
	return m, err
}

// Conflicts lists identity conflicts.
func (c *Client) Conflicts(ctx context.Context) ([]api.Conflict, error) {
	var l api.ConflictList
	err := c.operator(ctx, http.MethodGet, api.PathConflicts, nil, &l)
	return l.Conflicts, err
}

// BMCCredentials returns a machine's stored BMC login, password included
// (the server logs the reveal).
func (c *Client) BMCCredentials(ctx context.Context, id string) (api.BMCCredentials, error) {
	var b api.BMCCredentials
	err := c.operator(ctx, http.MethodGet, fmt.Sprintf(api.PathBMCCredentialsFmt, url.PathEscape(id)), nil, &b)
	return b, err
}

// VerifyBMC has the server log in to the machine's BMC with the stored
// password now and returns the recorded outcome.
func (c *Client) VerifyBMC(ctx context.Context, id string) (api.BMCCredentialsStatus, error) {
	var st api.BMCCredentialsStatus
	err := c.operator(ctx, http.MethodPost, fmt.Sprintf(api.PathBMCVerifyFmt, url.PathEscape(id)), nil, &st)
	return st, err
}

// Delete forgets a machine.
func (c *Client) Delete(ctx context.Context, id string) error {
	return c.operator(ctx, http.MethodDelete, fmt.Sprintf(api.PathMachineFmt, url.PathEscape(id)), nil, nil)
}
