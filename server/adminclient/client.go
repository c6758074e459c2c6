package adminclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hwagent/hwagent/server/api"
)

// Options configure a Client.
type Options struct {
	// Server is the base URL ("https://prov:8443").
	Server string
	// AdminToken is the operator API's bearer token.
	AdminToken string
	// CAFile, when set, is the only CA trusted for the server's certificate.
	CAFile string
	// ClientCert and ClientKey are a client certificate for servers that
	// require one.
	ClientCert, ClientKey string
	// Timeout bounds one request (default 30 s).
	Timeout time.Duration
}

// Client calls the operator API. It is safe for concurrent use.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// New returns a client.
func New(o Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(o.Server, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server URL %q: want http(s)://host[:port]", o.Server)
	}
	if o.AdminToken == "" {
		return nil, errors.New("no admin token: give --admin-token or HWAGENT_ADMIN_TOKEN")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if o.CAFile != "" || o.ClientCert != "" {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if o.CAFile != "" {
			pem, err := os.ReadFile(o.CAFile)
			if err != nil {
				return nil, fmt.Errorf("CA: %w", err)
			}
			cfg.RootCAs = x509.NewCertPool()
			if !cfg.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("CA %s: no PEM certificate", o.CAFile)
			}
		}
		if o.ClientCert != "" {
			cert, err := tls.LoadX509KeyPair(o.ClientCert, o.ClientKey)
			if err != nil {
				return nil, fmt.Errorf("client certificate: %w", err)
			}
			cfg.Certificates = []tls.Certificate{cert}
		}
		tr.TLSClientConfig = cfg
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	return &Client{base: u.String(), token: o.AdminToken, http: &http.Client{Transport: tr, Timeout: timeout}}, nil
}

// Error is a non-2xx answer.
type Error struct {
	Status int
	// Body is the server's api.Error (Code empty when the answer was not one).
	Body api.Error
}

func (e *Error) Error() string {
	if e.Body.Code == "" {
		return fmt.Sprintf("%d %s", e.Status, e.Body.Message)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Body.Code, e.Body.Message)
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
		if err := c.do(ctx, http.MethodGet, api.PathMachines+"?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Machines...)
		if page.Next == "" {
			return out, nil
		}
		q.Set(api.QueryAfter, page.Next)
	}
}

// Get returns one machine with its inventory.
func (c *Client) Get(ctx context.Context, id string) (api.Machine, error) {
	var m api.Machine
	err := c.do(ctx, http.MethodGet, fmt.Sprintf(api.PathMachineFmt, url.PathEscape(id)), nil, &m)
	return m, err
}

// History returns a machine's changes.
func (c *Client) History(ctx context.Context, id string) (api.History, error) {
	var h api.History
	err := c.do(ctx, http.MethodGet, fmt.Sprintf(api.PathHistoryFmt, url.PathEscape(id)), nil, &h)
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
	err := c.do(ctx, http.MethodGet, path, nil, &h)
	return h, err
}

// SetAction sets the pending action (api.ActionNone clears it) and returns
// the machine.
func (c *Client) SetAction(ctx context.Context, id, action string) (api.Machine, error) {
	var m api.Machine
	err := c.do(ctx, http.MethodPut, fmt.Sprintf(api.PathActionFmt, url.PathEscape(id)), api.ActionRequest{Action: action}, &m)
	return m, err
}

// Approve lets a held registration take the machine over (pendingID may
// be empty when there is one) and returns the machine.
func (c *Client) Approve(ctx context.Context, id, pendingID string) (api.Machine, error) {
	var m api.Machine
	err := c.do(ctx, http.MethodPost, fmt.Sprintf(api.PathApproveFmt, url.PathEscape(id)), api.ApprovalRequest{PendingID: pendingID}, &m)
	return m, err
}

// Reject drops a held registration (pendingID empty: all of them) and
// returns the machine.
func (c *Client) Reject(ctx context.Context, id, pendingID string) (api.Machine, error) {
	var m api.Machine
	err := c.do(ctx, http.MethodPost, fmt.Sprintf(api.PathRejectFmt, url.PathEscape(id)), api.ApprovalRequest{PendingID: pendingID}, &m)
	return m, err
}

// Conflicts lists identity conflicts.
func (c *Client) Conflicts(ctx context.Context) ([]api.Conflict, error) {
	var l api.ConflictList
	err := c.do(ctx, http.MethodGet, api.PathConflicts, nil, &l)
	return l.Conflicts, err
}

// BMCCredentials returns a machine's stored BMC login, password included
// (the server logs the reveal).
func (c *Client) BMCCredentials(ctx context.Context, id string) (api.BMCCredentials, error) {
	var b api.BMCCredentials
	err := c.do(ctx, http.MethodGet, fmt.Sprintf(api.PathBMCCredentialsFmt, url.PathEscape(id)), nil, &b)
	return b, err
}

// VerifyBMC has the server log in to the machine's BMC with the stored
// password now and returns the recorded outcome.
func (c *Client) VerifyBMC(ctx context.Context, id string) (api.BMCCredentialsStatus, error) {
	var st api.BMCCredentialsStatus
	err := c.do(ctx, http.MethodPost, fmt.Sprintf(api.PathBMCVerifyFmt, url.PathEscape(id)), nil, &st)
	return st, err
}

// Delete forgets a machine.
func (c *Client) Delete(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, fmt.Sprintf(api.PathMachineFmt, url.PathEscape(id)), nil, nil)
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &Error{Status: resp.StatusCode}
		if json.Unmarshal(b, &e.Body) != nil || e.Body.Code == "" {
			e.Body = api.Error{Message: strings.TrimSpace(string(b))}
			if len(e.Body.Message) > 200 {
				e.Body.Message = e.Body.Message[:200]
			}
		}
		return e
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}
