package plan

import (
	"fmt"
	"os"
	"sync"

	"sigs.k8s.io/yaml"

	"github.com/hwagent/hwagent/internal/secret"
)

// Credentials are BMC usernames and passwords. A credentials file is YAML:
//
//	username: admin            # for every machine...
//	password: s3cret
//	machines:                  # ...unless given here, by serial or MAC
//	  9000116105: {username: ADMIN, password: other}
//
// Each field is taken from the machine's entry, else the file's top level,
// else Default (which the command fills from HWAGENT_BMC_USERNAME and
// HWAGENT_BMC_PASSWORD). Passwords are Secrets: they never appear in
// messages or logs.
type Credentials struct {
	Username string                        `json:"username,omitempty"`
	Password secret.Value                  `json:"password,omitempty"`
	Machines map[string]MachineCredentials `json:"machines,omitempty"`
	// Default is used for what neither the machine's entry nor the file's
	// top level gives. Not read from the file.
	Default MachineCredentials `json:"-"`

	once     sync.Once
	machines map[string]MachineCredentials // by normalized key
}

// MachineCredentials is one BMC login.
type MachineCredentials struct {
	Username string       `json:"username,omitempty"`
	Password secret.Value `json:"password,omitempty"`
}

// LoadCredentials reads a credentials file. Unknown keys are errors; the
// error never quotes the file's content.
func LoadCredentials(path string) (*Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bmc credentials: %w", err)
	}
	c, err := ParseCredentials(b)
	if err != nil {
		return nil, fmt.Errorf("bmc credentials %s: %w", path, err)
	}
	return c, nil
}

// ParseCredentials decodes a credentials file's content.
func ParseCredentials(b []byte) (*Credentials, error) {
	var c Credentials
	if err := yaml.UnmarshalStrict(b, &c); err != nil {
		// Decoder messages can quote values; say only where it failed.
		return nil, fmt.Errorf("not a valid credentials file (want username, password, machines): %w", redactedError{cleanYAMLError(err)})
	}
	return &c, nil
}

// redactedError keeps the error chain but prints nothing that came from the
// file beyond key names the decoder reports.
type redactedError struct{ err error }

func (e redactedError) Error() string {
	msg := e.err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

func (e redactedError) Unwrap() error { return e.err }

// For returns the login for a machine with the given (normalized) keys.
// It is safe for concurrent use; Machines must not change after the first
// call.
func (c *Credentials) For(keys []string) MachineCredentials {
	if c == nil {
		return MachineCredentials{}
	}
	c.once.Do(func() {
		c.machines = make(map[string]MachineCredentials, len(c.Machines))
		for k, v := range c.Machines {
			c.machines[Key(k)] = v
		}
	})
	var m MachineCredentials
	for _, k := range keys {
		if x, ok := c.machines[k]; ok {
			m = x
			break
		}
	}
	if m.Username == "" {
		m.Username = c.Username
	}
	if m.Password == "" {
		m.Password = c.Password
	}
	if m.Username == "" {
		m.Username = c.Default.Username
	}
	if m.Password == "" {
		m.Password = c.Default.Password
	}
	return m
}
