package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/hwagent/hwagent/server/api"
)

// ServerSource reads inventories from an hwagent server's operator API:
// GET /v1/machines (paged by ?after=) for the machine IDs, then
// GET /v1/machines/{id} for each one's inventory, with the admin token as a
// bearer token.
type ServerSource struct {
	// URL is the server's base URL ("https://hwagent.example:8443").
	URL string
	// Token is the admin token; it never appears in errors.
	Token Secret
	// Query filters the list (api.QueryVendor, QueryProduct, QueryState,
	// QuerySwitch...); nil lists every machine.
	Query url.Values
	// Client makes the requests; nil means http.DefaultClient.
	Client *http.Client
	// BMCLogins makes Spool also fetch the BMC login the server holds for
	// each machine that has one (GET /v1/machines/{id}/bmc-credentials,
	// logged by the server) into Logins, for Exporter.WithStoredLogins.
	BMCLogins bool
	Logins    map[string]StoredLogin
}

// maxMachineBytes bounds one machine document read from the server.
const maxMachineBytes = 64 << 20

// Spool copies every listed machine's inventory into a file in dir (one
// machine in memory at a time) and returns refs named "server:<id>" in
// machine ID order. Machines the server has no inventory for are an error.
func (s *ServerSource) Spool(ctx context.Context, dir string) ([]Ref, error) {
	var ids []string
	bmc := map[string]*api.BMCCredentialsStatus{}
	q := url.Values{}
	for k, v := range s.Query {
		q[k] = v
	}
	for {
		var page api.MachineList
		if err := s.get(ctx, api.PathMachines, q, func(r io.Reader) error {
			return json.NewDecoder(r).Decode(&page)
		}); err != nil {
			return nil, err
		}
		for _, m := range page.Machines {
			ids = append(ids, m.ID)
			if m.BMCCredentials != nil {
				bmc[m.ID] = m.BMCCredentials
			}
		}
		if page.Next == "" || len(page.Machines) == 0 {
			break
		}
		q.Set(api.QueryAfter, page.Next)
	}
	refs := make([]Ref, 0, len(ids))
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := filepath.Join(dir, fmt.Sprintf("%06d.json", i+1))
		err := s.get(ctx, fmt.Sprintf(api.PathMachineFmt, url.PathEscape(id)), nil, func(r io.Reader) error {
			var m struct {
				Inventory json.RawMessage `json:"inventory"`
			}
			if err := json.NewDecoder(io.LimitReader(r, maxMachineBytes)).Decode(&m); err != nil {
				return err
			}
			if len(m.Inventory) == 0 || string(m.Inventory) == "null" {
				return fmt.Errorf("machine %s: the server has no inventory for it", id)
			}
			return os.WriteFile(p, m.Inventory, 0o600)
		})
		if err != nil {
			return nil, err
		}
		r := FileRef(p)
		r.Name = "server:" + id
		refs = append(refs, r)
		if st := bmc[id]; s.BMCLogins && st != nil {
			if err := s.fetchLogin(ctx, r.Name, id, st); err != nil {
				return nil, err
			}
		}
	}
	return refs, nil
}

// fetchLogin reads the stored BMC login of a machine that has one.
func (s *ServerSource) fetchLogin(ctx context.Context, name, id string, st *api.BMCCredentialsStatus) error {
	if s.Logins == nil {
		s.Logins = map[string]StoredLogin{}
	}
	if st.PasswordSetAt == nil {
		s.Logins[name] = StoredLoginFrom(st, nil)
		return nil
	}
	var creds api.BMCCredentials
	err := s.get(ctx, fmt.Sprintf(api.PathBMCCredentialsFmt, url.PathEscape(id)), nil, func(r io.Reader) error {
		return json.NewDecoder(io.LimitReader(r, 64<<10)).Decode(&creds)
	})
	if err != nil {
		return fmt.Errorf("machine %s: BMC credentials: %w", id, err)
	}
	s.Logins[name] = StoredLoginFrom(st, &creds)
	return nil
}

// get fetches path and hands the body of a 200 answer to read.
func (s *ServerSource) get(ctx context.Context, path string, q url.Values, read func(io.Reader) error) error {
	u := strings.TrimSuffix(s.URL, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("server %s: %w", s.URL, err)
	}
	req.Header.Set("Authorization", "Bearer "+s.Token.Reveal())
	req.Header.Set("Accept", "application/json")
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e api.Error
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if json.Unmarshal(body, &e) == nil && e.Code != "" {
			return fmt.Errorf("GET %s: %s: %s: %s", path, resp.Status, e.Code, e.Message)
		}
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	if err := read(resp.Body); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("GET %s: truncated answer: %w", path, err)
		}
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}
