package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
)

// Options configure a Client.
type Options struct {
	// Server is the provisioning server's base URL ("https://prov:8443"),
	// or several, comma-separated, of replicas sharing one database
	// ("https://prov-a:8443,https://prov-b:8443"): the client starts with
	// one of them at random and moves to the next after a failure that is
	// worth retrying (no answer, 408, 429, 5xx), so the caller's retry goes
	// to another replica. A server it stays with while it answers.
	Server string
	// EnrollmentToken is the bearer token for registration (the agent).
	EnrollmentToken secret.Value
	// AdminToken is the bearer token of the operator API (hwagent machines,
	// hwagent export --server).
	AdminToken secret.Value
	// TLS configures HTTPS; see TLSOptions.
	TLS TLSOptions
	// Timeout bounds one request; 0 means DefaultTimeout.
	Timeout time.Duration
	// UserAgent is sent with every request ("hwagent/1.2.3").
	UserAgent string
	// Logger is kept for callers; net/http logs nothing of its own, every
	// failure is returned.
	// The client itself never logs.
	Logger *slog.Logger
	// Now is the clock for Retry-After dates; nil means time.Now.
	Now func() time.Time
}

// DefaultTimeout bounds one request.
const DefaultTimeout = 30 * time.Second

// maxResponseBytes bounds an answer of the agent's protocol: small JSON
// documents. Operator answers have their own bound.
const maxResponseBytes = 1 << 20

// maxRedirects bounds the redirects followed within the server's origin.
const maxRedirects = 3

// Client talks to one provisioning server, or to one of its replicas at a
// time. It is safe for concurrent use.
type Client struct {
	bases      []*url.URL
	cur        atomic.Int64 // index in bases of the server in use
	verified   bool         // https with the servers' certificates checked
	token      secret.Value // enrollment
	adminToken secret.Value
	http       *http.Client
	header     http.Header // sent with every request
	now        func() time.Time
}

// Machine is a registered machine's ID and credential, as the server
// returned them.
type Machine struct {
	ID         string
	Credential secret.Value
}

// New returns a client for opts.Server.
func New(opts Options) (*Client, error) {
	var bases []*url.URL
	for _, s := range strings.Split(opts.Server, ",") {
		base, err := parseServer(strings.TrimSpace(s))
		if err != nil {
			return nil, err
		}
		bases = append(bases, base)
	}
	tlsConfig, err := opts.TLS.config()
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	// Plain net/http: the client used nothing of resty (no retries, it
	// reads bodies itself) but paid for it at every start: resty's package
	// initialization compiles a regular expression and builds a cookie
	// jar, code a netbooted machine under emulation translates before its
	// first log line (docs/e2e.md, "Faster to registered").
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if tlsConfig != nil {
		transport.TLSClientConfig = tlsConfig
	}
	h := &http.Client{Transport: transport, Timeout: timeout, CheckRedirect: sameOrigin}
	header := http.Header{"Accept": {"application/json"}}
	if opts.UserAgent != "" {
		header.Set("User-Agent", opts.UserAgent)
	}
	verified := !opts.TLS.InsecureSkipVerify
	for _, b := range bases {
		verified = verified && b.Scheme == "https"
	}
	c := &Client{bases: bases, verified: verified, token: opts.EnrollmentToken, adminToken: opts.AdminToken, http: h, header: header, now: now}
	// Agents of a fleet booting together spread over the replicas.
	c.cur.Store(rand.Int64N(int64(len(bases))))
	return c, nil
}

// parseServer checks one server URL.
func parseServer(s string) (*url.URL, error) {
	base, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil {
		return nil, fmt.Errorf("server URL: %w", err)
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("server URL %q: want http(s)://host[:port]", base.Redacted())
	}
	if base.User != nil {
		return nil, fmt.Errorf("server URL %q: credentials go in --token, not in the URL", base.Redacted())
	}
	return base, nil
}

// Servers returns the servers' URLs, the one in use first.
func (c *Client) Servers() []string {
	i := int(c.cur.Load())
	var out []string
	for j := range c.bases {
		out = append(out, c.bases[(i+j)%len(c.bases)].String())
	}
	return out
}

// failedOver moves to the next server after a failure worth retrying on
// base i (once, however many requests failed on it together).
func (c *Client) failedOver(i int64, err error) {
	if len(c.bases) > 1 && Retryable(err) {
		c.cur.CompareAndSwap(i, (i+1)%int64(len(c.bases)))
	}
}

// ServerAuthenticated reports whether the answers come from the server the
// URLs name (every one of them): https, its certificate checked against the system's roots or
// the CA file (not InsecureSkipVerify). Redirects stay on the same origin.
// Over plain HTTP anyone on the path can answer in the server's name.
func (c *Client) ServerAuthenticated() bool { return c.verified }

// Register sends the inventory with the enrollment token and returns the
// machine's ID, credential, check-in interval and pushed configuration.
func (c *Client) Register(ctx context.Context, inv *inventory.Inventory) (*api.RegisterResponse, error) {
	return c.RegisterTPM(ctx, inv, nil)
}

// RegisterTPM is Register with the machine's TPM evidence (nil: none).
// The answer may then be a TPM challenge instead of a registration
// (TPMChallenge set, no machine ID): answer it with a second RegisterTPM
// carrying the challenge's ID and the activated credential.
func (c *Client) RegisterTPM(ctx context.Context, inv *inventory.Inventory, ev *api.TPMEvidence) (*api.RegisterResponse, error) {
	return c.register(ctx, api.RegisterRequest{Inventory: inv, TPM: ev}, ev != nil)
}

// RegisterEncoded is Register with the request already encoded: body is
// an api.RegisterRequest as JSON (without TPM evidence), sent as it is.
// A caller that sends one registration many times encodes it once (the
// load benchmark's simulated agents: 47 KB of JSON each).
func (c *Client) RegisterEncoded(ctx context.Context, body []byte) (*api.RegisterResponse, error) {
	return c.register(ctx, encoded(body), false)
}

// register sends a registration (an api.RegisterRequest, or one encoded)
// and checks its answer.
func (c *Client) register(ctx context.Context, in any, tpm bool) (*api.RegisterResponse, error) {
	var out api.RegisterResponse
	if err := c.do(ctx, http.MethodPost, api.PathRegister, c.token, in, &out); err != nil {
		return nil, err
	}
	if tpm && out.TPMChallenge != nil {
		ch := out.TPMChallenge
		if ch.ID == "" || len(ch.CredentialBlob) == 0 || len(ch.EncryptedSecret) == 0 || len(ch.CredentialBlob) > 4096 || len(ch.EncryptedSecret) > 4096 {
			return nil, &PermanentError{fmt.Errorf("POST %s: malformed tpm_challenge", api.PathRegister)}
		}
		return &out, nil
	}
	if out.MachineID == "" || out.Credential == "" {
		return nil, &PermanentError{fmt.Errorf("POST %s: answer without machine_id or credential", api.PathRegister)}
	}
	return &out, nil
}

// Checkin reports the machine's state and returns the server's action.
func (c *Client) Checkin(ctx context.Context, m Machine, req api.CheckinRequest) (*api.CheckinResponse, error) {
	var out api.CheckinResponse
	path := fmt.Sprintf(api.PathCheckinFmt, url.PathEscape(m.ID))
	if err := c.do(ctx, http.MethodPost, path, m.Credential, req, &out); err != nil {
		return nil, err
	}
	if out.Action == "" {
		out.Action = api.ActionNone
	}
	return &out, nil
}

// PutInventory replaces the machine's inventory on the server.
func (c *Client) PutInventory(ctx context.Context, m Machine, inv *inventory.Inventory) error {
	path := fmt.Sprintf(api.PathInventoryFmt, url.PathEscape(m.ID))
	return c.do(ctx, http.MethodPut, path, m.Credential, api.InventoryRequest{Inventory: inv}, nil)
}

// PutBMCCredentials sends the report of an in-band BMC provisioning the
// server asked for; its password is sealed to the server's key.
func (c *Client) PutBMCCredentials(ctx context.Context, m Machine, rep api.BMCCredentialsReport) error {
	path := fmt.Sprintf(api.PathBMCCredentialsFmt, url.PathEscape(m.ID))
	return c.do(ctx, http.MethodPut, path, m.Credential, rep, nil)
}

// do sends one agent request with a JSON body and decodes a JSON answer
// into out (nil: the body is ignored).
func (c *Client) do(ctx context.Context, method, path string, token secret.Value, in, out any) error {
	return c.call(ctx, request{method: method, path: path, token: token, in: in, out: out, limit: maxResponseBytes})
}

// encoded is a request body already encoded as JSON, sent as it is.
type encoded []byte

// request is one call: in nil sends no body; limit bounds the answer.
type request struct {
	method, path string
	token        secret.Value
	in, out      any
	limit        int64
}

// call sends one request and decodes a JSON answer into q.out.
func (c *Client) call(ctx context.Context, q request) error {
	method, path := q.method, q.path
	var reqBody []byte
	if q.in != nil {
		// The body is marshalled here, to bytes: a redirect replays it
		// intact (GetBody), and an encoding error is the caller's, not the
		// network's.
		if b, ok := q.in.(encoded); ok {
			reqBody = b
		} else {
			var err error
			if reqBody, err = json.Marshal(q.in); err != nil {
				return &PermanentError{fmt.Errorf("%s %s: encode: %w", method, path, err)}
			}
		}
	}
	i := c.cur.Load()
	err := c.send(ctx, c.bases[i], q, reqBody)
	c.failedOver(i, err)
	return err
}

// send sends one request to base.
func (c *Client) send(ctx context.Context, base *url.URL, q request, reqBody []byte) error {
	method, path, limit := q.method, q.path, q.limit
	req, err := http.NewRequestWithContext(ctx, method, base.String()+path, bytes.NewReader(reqBody))
	if err != nil {
		return &PermanentError{fmt.Errorf("%s %s: %w", method, path, err)}
	}
	if q.in == nil {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if q.in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if q.token != "" {
		req.Header.Set("Authorization", "Bearer "+q.token.Reveal())
	}
	out := q.out
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	// At most limit+1 bytes are read: one more than the limit tells a
	// body of exactly the limit from a longer one.
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	status := resp.StatusCode
	if status < 200 || status > 299 {
		// The status decides, whatever the body: a truncated or unreadable
		// error page still carries its status and Retry-After.
		return decodeError(method, path, status, resp.Header, body, c.now())
	}
	if readErr != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, readErr)
	}
	if int64(len(body)) > limit {
		return &PermanentError{fmt.Errorf("%s %s: answer larger than %d bytes", method, path, limit)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &PermanentError{fmt.Errorf("%s %s: decode answer: %w", method, path, err)}
	}
	return nil
}

// sameOrigin follows a redirect only within the origin of the server the
// request went to (scheme, host and port) and at most maxRedirects times.
// Anything else is refused before the request is sent: the bearer token
// must never reach another server, nor leave TLS, and another server's
// answer is never taken for this one's (issue 11: a 307 from
// https://server to http://other).
func sameOrigin(req *http.Request, via []*http.Request) error {
	to, base := req.URL, via[0].URL
	if !strings.EqualFold(to.Scheme, base.Scheme) || !strings.EqualFold(to.Hostname(), base.Hostname()) || port(to) != port(base) {
		return &PermanentError{fmt.Errorf("the server redirected to %s://%s, not its own origin %s://%s: refused (configure --server with the URL that answers)",
			to.Scheme, to.Host, base.Scheme, base.Host)}
	}
	if len(via) >= maxRedirects {
		return &PermanentError{fmt.Errorf("stopped after %d redirects", maxRedirects)}
	}
	return nil
}

// port is u's port, or its scheme's default.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}
