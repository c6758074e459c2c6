// Package api defines hwagent's provisioning protocol on the wire: the
// requests and responses exchanged by the agent (hwagent run/register), the
// reference server (hwagent serve) and operator tools. docs/protocol.md
// describes it; docs/openapi.yaml is the OpenAPI form.
//
// The protocol is versioned by its URL prefix (/v1). Fields are added, never
// removed or changed in meaning, within a version.
package api

import (
	"time"

	"github.com/hwagent/hwagent/inventory"
)

// Version is the protocol version and URL prefix.
const Version = "v1"

// Paths of the agent API.
const (
	PathRegister = "/v1/register"
	// PathCheckin is followed by the machine ID: /v1/machines/{id}/checkin.
	PathCheckinFmt = "/v1/machines/%s/checkin"
	// PathInventoryFmt receives a changed inventory: PUT /v1/machines/{id}/inventory.
	PathInventoryFmt = "/v1/machines/%s/inventory"
)

// RegisterRequest is POSTed to PathRegister with the enrollment token as a
// bearer token. Registering is idempotent: the server matches the machine by
// the inventory's identity keys and returns the same MachineID.
type RegisterRequest struct {
	Inventory *inventory.Inventory `json:"inventory"`
}

// RegisterResponse answers a registration.
type RegisterResponse struct {
	// MachineID is the server's identifier for the machine.
	MachineID string `json:"machine_id"`
	// Credential is the per-machine bearer token for check-ins and inventory
	// updates. It is returned on every registration (a re-registering
	// machine gets a fresh one; the old one stops working).
	Credential string `json:"credential"`
	// CheckinIntervalSeconds is how often to check in.
	CheckinIntervalSeconds int `json:"checkin_interval_seconds"`
	// Config is configuration the server pushes to the agent.
	Config AgentConfig `json:"config"`
}

// AgentConfig is configuration the server pushes to agents.
type AgentConfig struct {
	// Collectors, when non-empty, is the exact list of collectors to run.
	Collectors []string `json:"collectors,omitempty"`
	// LLDPWaitSeconds overrides the agent's LLDP wait when non-nil.
	LLDPWaitSeconds *int `json:"lldp_wait_seconds,omitempty"`
}

// Machine states reported by the agent.
const (
	StateRegistered = "registered" // inventory accepted, waiting for an action
	StateReleased   = "released"   // the agent exited so workflows can run
)

// CheckinRequest is POSTed to the check-in path with the machine credential.
type CheckinRequest struct {
	State string `json:"state"`
	// InventoryDigest is the hex SHA-256 of the canonical inventory JSON
	// (report.Digest) the agent last sent or would send now.
	InventoryDigest string  `json:"inventory_digest"`
	UptimeSeconds   float64 `json:"uptime_seconds"`
	AgentVersion    string  `json:"agent_version"`
}

// Actions a server can ask of an agent.
const (
	ActionNone          = "none"
	ActionSendInventory = "send_inventory"
	ActionReboot        = "reboot"
	ActionPowerOff      = "poweroff"
	ActionRelease       = "release"
)

// CheckinResponse tells the agent what to do next.
type CheckinResponse struct {
	Action                 string `json:"action"`
	CheckinIntervalSeconds int    `json:"checkin_interval_seconds"`
}

// InventoryRequest is PUT to the inventory path with the machine credential
// when the inventory changed (late LLDP neighbours, a server's request).
type InventoryRequest struct {
	Inventory *inventory.Inventory `json:"inventory"`
}

// Error is the body of every non-2xx response.
type Error struct {
	// Code is stable and machine-readable ("unauthorized", "invalid_body"...).
	Code string `json:"code"`
	// Message is for people.
	Message string `json:"message"`
}

// Error codes.
const (
	CodeUnauthorized  = "unauthorized"
	CodeForbidden     = "forbidden"
	CodeInvalidBody   = "invalid_body"
	CodeTooLarge      = "body_too_large"
	CodeNotFound      = "not_found"
	CodeConflict      = "conflict"
	CodeUnavailable   = "unavailable"
	CodeInternal      = "internal"
	CodeRateLimited   = "rate_limited"
	CodeInvalidAction = "invalid_action"
)

// Machine is what the operator API returns for a machine.
type Machine struct {
	ID          string    `json:"id"`
	State       string    `json:"state"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
	// PendingAction is the action the next check-in will receive.
	PendingAction string `json:"pending_action,omitempty"`
	// InventoryDigest of the latest inventory.
	InventoryDigest string `json:"inventory_digest,omitempty"`
	// Summary fields for listings and filters.
	Manufacturer string `json:"manufacturer,omitempty"`
	Product      string `json:"product,omitempty"`
	Serial       string `json:"serial,omitempty"`
	BMCIP        string `json:"bmc_ip,omitempty"`
	// Switches lists "system_name port_id" of LLDP neighbours.
	Switches []string `json:"switches,omitempty"`
	// Inventory is included by the show endpoint only.
	Inventory *inventory.Inventory `json:"inventory,omitempty"`
}

// Change is one entry of a machine's history.
type Change struct {
	At time.Time `json:"at"`
	// Kind is "registered", "inventory_changed", "action_set", "action_delivered", "state".
	Kind string `json:"kind"`
	// Details lists human-readable differences ("dimm DIMM_A1 removed",
	// "bios.version 1.2 → 1.3", "eth0 neighbour sw01 Et1/7 → sw02 Et1/1").
	Details []string `json:"details,omitempty"`
}
