package source

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
)

// ServerSource reads inventories from an hwagent server's operator API
// through the project's one server client: the machines the query lists
// (paged), then each one's inventory, exactly as the server holds it, named
// by the server's machine ID (Ref.MachineID).
type ServerSource struct {
	// Client reaches the server; it needs the admin token
	// (client.Options.AdminToken), which never appears in errors.
	Client *client.Client
	// Query filters the list (api.QueryVendor, QueryProduct, QueryState,
	// QuerySwitch...); nil lists every machine.
	Query url.Values
	// BMCLogins makes Spool also fetch the BMC login the server holds for
	// each machine that has one (GET /v1/machines/{id}/bmc-credentials,
	// logged by the server) into Logins, by ref name.
	BMCLogins bool
	Logins    map[string]Login
}

// Login is what the server says about a machine's BMC login: its status
// and, when a password was set, the login itself (export.StoredLoginFrom
// turns it into what the exporter uses).
type Login struct {
	Status      *api.BMCCredentialsStatus
	Credentials *api.BMCCredentials
}

// Spool copies every listed machine's inventory into a file in dir (one
// machine in memory at a time) and returns refs named "server:<id>" in
// the server's list order (machine ID order). Machines the server has no
// inventory for are an error.
func (s *ServerSource) Spool(ctx context.Context, dir string) ([]Ref, error) {
	ms, err := s.Client.List(ctx, s.Query)
	if err != nil {
		return nil, err
	}
	refs := make([]Ref, 0, len(ms))
	for i, m := range ms {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		inv, err := s.Client.Inventory(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, fmt.Sprintf("%06d.json", i+1))
		if err := os.WriteFile(p, inv, 0o600); err != nil {
			return nil, err
		}
		r := FileRef(p)
		r.Name = "server:" + m.ID
		// The machine as the server knows it: machines sharing a UUID
		// derive one ID (their documents' identity.machine_id), the
		// server keeps them apart (hwagent.io/machine-id, plan maps
		// keyed by machine ID).
		r.MachineID = m.ID
		load := r.Load
		r.Load = func() (*inventory.Inventory, error) {
			inv, err := load()
			return r.WithMachineID(inv), err
		}
		refs = append(refs, r)
		if s.BMCLogins && m.BMCCredentials != nil {
			if err := s.fetchLogin(ctx, r.Name, m.ID, m.BMCCredentials); err != nil {
				return nil, err
			}
		}
	}
	return refs, nil
}

// fetchLogin reads the stored BMC login of a machine that has one.
func (s *ServerSource) fetchLogin(ctx context.Context, name, id string, st *api.BMCCredentialsStatus) error {
	if s.Logins == nil {
		s.Logins = map[string]Login{}
	}
	if st.PasswordSetAt == nil {
		s.Logins[name] = Login{Status: st}
		return nil
	}
	creds, err := s.Client.BMCCredentials(ctx, id)
	if err != nil {
		return fmt.Errorf("machine %s: BMC credentials: %w", id, err)
	}
	s.Logins[name] = Login{Status: st, Credentials: &creds}
	return nil
}
