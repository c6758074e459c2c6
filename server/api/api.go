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
	// TPM is the evidence of an agent that could use the machine's TPM
	// 2.0: the server pins the endorsement key and challenges later
	// registrations with it (docs/protocol.md, "TPM-bound identity").
	// Absent from agents without a TPM or without TPM support.
	TPM *TPMEvidence `json:"tpm,omitempty"`
}

// TPMEvidence is what an agent with a TPM 2.0 adds to its registration.
// Binary fields are standard base64 in JSON.
type TPMEvidence struct {
	// EKPublic is the endorsement key's public area (TPMT_PUBLIC as the
	// TPM marshals it).
	EKPublic []byte `json:"ek_public"`
	// EKCertificate is the EK certificate (DER) the TPM's manufacturer
	// stored in NV memory, when there is one.
	EKCertificate []byte `json:"ek_certificate,omitempty"`
	// AKPublic is the public area of the attestation key the agent
	// created in the same TPM: the key the challenge names.
	AKPublic []byte `json:"ak_public"`
	// ChallengeID, in the registration that answers a challenge, is the
	// TPMChallenge.ID answered.
	ChallengeID string `json:"challenge_id,omitempty"`
	// Credential is the secret the TPM recovered from the challenge
	// (TPM2_ActivateCredential).
	Credential []byte `json:"credential,omitempty"`
	// Error, instead of Credential, says why the agent could not answer
	// (its TPM failed); the server records it.
	Error string `json:"error,omitempty"`
}

// Limits of TPMEvidence fields.
const (
	MaxTPMPublicBytes      = 1024
	MaxTPMCertificateBytes = 4096
	MaxTPMCredentialBytes  = 64
	MaxTPMErrorBytes       = 512
)

// TPMChallenge is the server's credential challenge: TPM2_MakeCredential
// against the endorsement key the server pinned, naming the agent's
// attestation key. Only the TPM holding that EK can recover the secret.
type TPMChallenge struct {
	// ID names the challenge in the answer.
	ID string `json:"id"`
	// CredentialBlob is the TPM2B_ID_OBJECT's contents and
	// EncryptedSecret the TPM2B_ENCRYPTED_SECRET's, what
	// TPM2_ActivateCredential takes.
	CredentialBlob  []byte `json:"credential_blob"`
	EncryptedSecret []byte `json:"encrypted_secret"`
	// ExpiresInSeconds is how long the answer is accepted.
	ExpiresInSeconds int `json:"expires_in_seconds"`
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
	// PendingApproval is true in a 202 answer: the registration would take
	// over a known machine and waits for an operator (`hwagent machines
	// approve`). Credential becomes the machine's credential once
	// approved; until then check-ins with it are answered "none" with
	// PendingApproval set, and the machine's previous credential keeps
	// working.
	PendingApproval bool `json:"pending_approval,omitempty"`
	// PendingID names the held registration (`machines approve
	// --pending ID` when a machine has several).
	PendingID string `json:"pending_id,omitempty"`
	// TPMChallenge, in a 200 answer without MachineID and Credential, is a
	// challenge the agent answers by registering again with
	// TPMEvidence.ChallengeID and Credential (one more round trip). Only
	// registrations that carried TPM evidence get one.
	TPMChallenge *TPMChallenge `json:"tpm_challenge,omitempty"`
}

// AgentConfig is configuration the server pushes to agents.
type AgentConfig struct {
	// Collectors, when non-empty, is the exact list of collectors to run.
	Collectors []string `json:"collectors,omitempty"`
	// LLDPWaitSeconds overrides the agent's LLDP wait when non-nil.
	LLDPWaitSeconds *int `json:"lldp_wait_seconds,omitempty"`
	// BMCCredentials, when set, asks the agent to ensure a BMC user over
	// the in-band IPMI interface with a password it generates, and to send
	// that password sealed to SealKey (PUT PathBMCCredentialsFmt). The
	// server asks when its policy (serve --bmc-user) wants a user and holds
	// no password for the machine; ActionRotateBMCPassword asks again.
	BMCCredentials *BMCCredentialsRequest `json:"bmc_credentials,omitempty"`
}

// BMCCredentialsRequest is the BMC user the server wants on a machine.
type BMCCredentialsRequest struct {
	// User is the BMC user name (1-16 letters, digits, '.', '_', '-').
	User string `json:"user"`
	// Privilege is "administrator" or "operator".
	Privilege string `json:"privilege"`
	// Channel is the LAN channel to make IPMI over LAN available on; 0
	// means the BMC's first LAN channel.
	Channel int `json:"channel,omitempty"`
	// SealKey is the server's X25519 public key (32 bytes, standard
	// base64): the password travels as a NaCl anonymous box sealed to it.
	SealKey string `json:"seal_key"`
}

// BMCCredentialsReport is PUT by the agent to PathBMCCredentialsFmt with
// the machine credential after provisioning, whether it worked or not.
type BMCCredentialsReport struct {
	// Status is "ok" or why it failed: "refused" (the BMC refused a user
	// command), "no_free_slot", "slot_conflict", "no_lan_channel",
	// "lan_channel_refused", "unreachable", "malformed", "no_bmc",
	// "invalid_request", "failed".
	Status string `json:"status"`
	// Error says what happened, for people; it never holds the password.
	Error string `json:"error,omitempty"`
	// User and Privilege echo the request.
	User      string `json:"user"`
	Privilege string `json:"privilege"`
	// Slot is the BMC user ID; Channel the LAN channel whose access was
	// ensured.
	Slot    int `json:"slot,omitempty"`
	Channel int `json:"channel,omitempty"`
	// Changes lists what was changed on the BMC, in words.
	Changes []string `json:"changes,omitempty"`
	// SealedPassword is set with status "ok", and with a failure that came
	// after the password was set (the BMC has it): standard base64 of a NaCl
	// anonymous box (golang.org/x/crypto/nacl/box.SealAnonymous) sealed to
	// the request's SealKey, holding the JSON of BMCSecret.
	SealedPassword string `json:"sealed_password,omitempty"`
	// DurationSeconds is how long the in-band provisioning took.
	DurationSeconds float64 `json:"duration_seconds"`
}

// BMCSecret is the plaintext inside BMCCredentialsReport.SealedPassword.
// MachineID binds the box to the machine: the server refuses a box whose
// machine ID is not the one it was sent for.
type BMCSecret struct {
	MachineID string `json:"machine_id"`
	User      string `json:"user"`
	Password  string `json:"password"`
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
	// AcksActions says the agent acknowledges actions (AckActionID): the
	// server then keeps an operator's action pending, and answers it at
	// every check-in, until the agent acknowledged its ID. Without it the
	// action is cleared once answered (agents before action IDs).
	AcksActions bool `json:"acks_actions,omitempty"`
	// AckActionID acknowledges the action of that ID (CheckinResponse.
	// ActionID): the agent has it and obeys it once the answer confirms
	// the acknowledgement (CheckinResponse.AckedActionID).
	AckActionID string `json:"ack_action_id,omitempty"`
}

// Actions a server can ask of an agent.
const (
	ActionNone          = "none"
	ActionSendInventory = "send_inventory"
	ActionReboot        = "reboot"
	ActionPowerOff      = "poweroff"
	ActionRelease       = "release"
	// ActionRotateBMCPassword asks the agent to set a new BMC password
	// (the server's BMC credentials policy) and send it sealed.
	ActionRotateBMCPassword = "rotate_bmc_password"
)

// ValidAction reports whether an operator may set action as pending.
func ValidAction(action string) bool {
	switch action {
	case ActionNone, ActionSendInventory, ActionReboot, ActionPowerOff, ActionRelease, ActionRotateBMCPassword:
		return true
	}
	return false
}

// CheckinResponse tells the agent what to do next.
type CheckinResponse struct {
	Action                 string `json:"action"`
	CheckinIntervalSeconds int    `json:"checkin_interval_seconds"`
	// ActionID identifies an operator's action ("a-" and 16 hex digits):
	// the same ID until the agent acknowledged it. Absent for none and for
	// a send_inventory the server asks because the digests differ.
	ActionID string `json:"action_id,omitempty"`
	// AckedActionID echoes the request's AckActionID when the server
	// accepted the acknowledgement (now, or at an earlier check-in whose
	// answer was lost). An acknowledgement of an action the operator has
	// since replaced or cleared, or of an unknown one, is not echoed: the
	// agent must not obey it.
	AckedActionID string `json:"acked_action_id,omitempty"`
	// PendingApproval is true while the credential belongs to a
	// registration waiting for an operator's approval; the action is then
	// always "none".
	PendingApproval bool `json:"pending_approval,omitempty"`
	// BMCCredentials comes with ActionRotateBMCPassword: the user to
	// provision with a new password.
	BMCCredentials *BMCCredentialsRequest `json:"bmc_credentials,omitempty"`
}

// ActionIDPattern is the shape of action IDs.
const ActionIDPattern = `^a-[0-9a-f]{16}$`

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
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeInvalidBody  = "invalid_body"
	CodeTooLarge     = "body_too_large"
	CodeNotFound     = "not_found"
	CodeConflict     = "conflict"
	CodeUnavailable  = "unavailable"
	CodeInternal     = "internal"
	CodeRateLimited  = "rate_limited"
	// CodeRequestTimeout: the body did not arrive within the server's body
	// timeout (408); retried like 429.
	CodeRequestTimeout = "request_timeout"
	CodeInvalidAction  = "invalid_action"
	// CodeNoIdentity rejects an inventory without any identity key
	// (no system UUID, serial or permanent MAC): it cannot be matched.
	CodeNoIdentity = "no_identity"
	// CodeMethodNotAllowed: the path exists but not with that method.
	CodeMethodNotAllowed = "method_not_allowed"
	// CodeIdentityConflict (409): the inventory carries an identity key
	// another machine holds, or contradicts the machine's own identity;
	// nothing was stored.
	CodeIdentityConflict = "identity_conflict"
	// CodePendingApproval (409): the credential belongs to a registration
	// that waits for an operator's approval.
	CodePendingApproval = "pending_approval"
	// CodeRefused (403): the re-enrolment policy refused the registration
	// (it was recorded on the machine).
	CodeRefused = "registration_refused"
)

// Machine is what the operator API returns for a machine.
type Machine struct {
	ID        string    `json:"id"`
	State     string    `json:"state"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// PendingAction is the action the next check-in will receive; it stays
	// until the agent acknowledged it.
	PendingAction string `json:"pending_action,omitempty"`
	// PendingActionID is its ID.
	PendingActionID string `json:"pending_action_id,omitempty"`
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
	// AgentVersion and UptimeSeconds from the latest check-in.
	AgentVersion  string  `json:"agent_version,omitempty"`
	UptimeSeconds float64 `json:"uptime_seconds,omitempty"`
	// Hostname, WorkerID and HWAddr from the inventory's host section
	// (Tinkerbell's worker_id= and hw_addr=), to match Tinkerbell Hardware.
	Hostname string `json:"hostname,omitempty"`
	WorkerID string `json:"worker_id,omitempty"`
	HWAddr   string `json:"hw_addr,omitempty"`
	// IdentityKeys are the "kind:value" keys the machine is matched by.
	IdentityKeys []string `json:"identity_keys,omitempty"`
	// SerialPlaceholder is true when Serial is a vendor placeholder
	// ("To Be Filled By O.E.M.", "0123456789"): shown, never trusted.
	SerialPlaceholder bool `json:"serial_placeholder,omitempty"`
	// Conflicts are the machines this one has an identity conflict with
	// (GET /v1/conflicts has the details).
	Conflicts []string `json:"conflicts,omitempty"`
	// PendingRegistrations counts registrations that would take this
	// machine over and wait for an operator (listings); the show endpoint
	// also lists them in Pending.
	PendingRegistrations int                   `json:"pending_registrations,omitempty"`
	Pending              []PendingRegistration `json:"pending,omitempty"`
	// Kube is the state of the machine's Tinkerbell objects in Kubernetes,
	// when the server applies them (serve --kubeconfig); show only.
	Kube *KubeSync `json:"kube,omitempty"`
	// BMCCredentials is the state of the BMC user the server's policy
	// asked for; never the password.
	BMCCredentials *BMCCredentialsStatus `json:"bmc_credentials,omitempty"`
	// Pins are what re-enrolment policies pinned on the machine (the
	// TPM's endorsement key: "tpm.ek_sha256", "tpm.ek_issuer"); show only.
	Pins map[string]string `json:"pins,omitempty"`
}

// PendingRegistration is a registration held by the re-enrolment policy
// until an operator approves (or rejects) it.
type PendingRegistration struct {
	ID string `json:"id"`
	// Peer is the address it came from.
	Peer        string    `json:"peer,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
	// Reason is the policy's.
	Reason string `json:"reason,omitempty"`
	// Differences between the machine's inventory and the held one
	// (show endpoint only).
	Differences []string `json:"differences,omitempty"`
}

// ApprovalRequest approves or rejects a machine's held registration. ID
// may be empty when the machine has exactly one.
type ApprovalRequest struct {
	PendingID string `json:"pending_id,omitempty"`
}

// Conflict is an identity conflict between two machines: their
// registrations agree on some identity key and contradict each other on
// another (docs/protocol.md, "Identity"), so the server keeps them apart.
type Conflict struct {
	// Machines are the two machine IDs, in order.
	Machines [2]string `json:"machines"`
	// Keys are the identity keys both claim; each is held by the machine
	// that had it first.
	Keys []string `json:"keys"`
	// Reason is the first contradiction met: "system serial 'A' ≠ 'B'"
	// (for conflicts recorded before servers kept every reason, the latest
	// then).
	Reason string `json:"reason"`
	// Reasons are every distinct contradiction met, the first first: at
	// most MaxConflictReasons, the first and the latest kept.
	Reasons   []string  `json:"reasons,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// Count is how many registrations met the conflict (refused uploads
	// change nothing, this included).
	Count int `json:"count"`
}

// MaxConflictReasons bounds Conflict.Reasons.
const MaxConflictReasons = 8

// ConflictList lists identity conflicts, ordered by the first machine ID.
type ConflictList struct {
	Conflicts []Conflict `json:"conflicts"`
}

// KubeSync is where a machine's Tinkerbell objects (Hardware, and with a
// BMC Rufio's Machine and its Secret) stand in Kubernetes.
type KubeSync struct {
	// State is KubePending, KubeApplied, KubeConflict or KubeFailed.
	State string `json:"state"`
	// Objects are the objects last written ("Hardware ns/name").
	Objects []string `json:"objects,omitempty"`
	// Message says why the last attempt failed, or which fields other
	// field managers hold (conflict).
	Message string `json:"message,omitempty"`
	// Attempts counts failed attempts since the last success.
	Attempts int `json:"attempts,omitempty"`
	// LastAttempt, NextAttempt (failed: when it is retried) and AppliedAt
	// (the last success) are absent when there was none.
	LastAttempt *time.Time `json:"last_attempt,omitempty"`
	NextAttempt *time.Time `json:"next_attempt,omitempty"`
	AppliedAt   *time.Time `json:"applied_at,omitempty"`
}

// KubeSync states.
const (
	// KubePending: registered or changed since the last apply; waiting for
	// an applier.
	KubePending = "pending"
	// KubeApplied: every object applied.
	KubeApplied = "applied"
	// KubeConflict: applied, except fields another field manager holds
	// with another value (left to it; Message lists them). Applied again
	// at the next registration or inventory change.
	KubeConflict = "conflict"
	// KubeFailed: the last attempt failed (unreachable API server, expired
	// credentials, missing CRD...); retried with backoff.
	KubeFailed = "failed"
)

// BMCCredentialsStatus is what the server knows of a machine's BMC user.
type BMCCredentialsStatus struct {
	User      string `json:"user"`
	Privilege string `json:"privilege"`
	Slot      int    `json:"slot,omitempty"`
	Channel   int    `json:"channel,omitempty"`
	// Status and Error are the agent's last report (BMCCredentialsReport).
	Status     string    `json:"status"`
	Error      string    `json:"error,omitempty"`
	ReportedAt time.Time `json:"reported_at"`
	// PasswordSetAt is when the stored password arrived; nil when the
	// server holds none.
	PasswordSetAt *time.Time `json:"password_set_at,omitempty"`
	// Verification is the out-of-band check of the stored password over
	// RMCP+ at the BMC's LAN address: "verified", "pending", or why it
	// failed: "unreachable", "wrong_password", "privilege_too_low",
	// "cipher_suite_refused", "no_address", "error".
	Verification string `json:"verification,omitempty"`
	// VerifiedAt (bmc_verified_at) is when the stored password last
	// logged in; nil until it has.
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
	// VerifyError is the last failed check's message; VerifyAddress the
	// address checked; CheckedAt when.
	VerifyError   string     `json:"verify_error,omitempty"`
	VerifyAddress string     `json:"verify_address,omitempty"`
	CheckedAt     *time.Time `json:"checked_at,omitempty"`
}

// BMCCredentials is a machine's BMC login, password included: the answer
// to GET PathBMCCredentialsFmt (admin token), for exporters and
// `machines show --reveal-bmc-password`. The server logs every reveal.
type BMCCredentials struct {
	MachineID string `json:"machine_id"`
	// Address is the BMC's LAN address from the inventory.
	Address   string `json:"address,omitempty"`
	User      string `json:"user"`
	Password  string `json:"password"`
	Privilege string `json:"privilege"`
	// Verification and VerifiedAt are as in BMCCredentialsStatus: use the
	// login for power control only when Verification is "verified".
	Verification string     `json:"verification,omitempty"`
	VerifiedAt   *time.Time `json:"verified_at,omitempty"`
}

// Change is one entry of a machine's history.
type Change struct {
	At time.Time `json:"at"`
	// Kind is "registered", "inventory_changed", "action_set",
	// "action_delivered", "state", "identity_conflict",
	// "registration_held", "registration_approved",
	// "registration_rejected", "registration_refused", "bmc_credentials",
	// "bmc_verification".
	Kind string `json:"kind"`
	// Details lists human-readable differences ("dimm DIMM_A1 removed",
	// "bios.version 1.2 → 1.3", "eth0 neighbour sw01 Et1/7 → sw02 Et1/1").
	Details []string `json:"details,omitempty"`
}

// Paths of the operator API (admin token).
const (
	// PathMachines lists machines: GET /v1/machines?vendor=&product=&state=
	// &switch=&seen_since=&seen_before=&limit=&after=.
	PathMachines = "/v1/machines"
	// PathMachineFmt shows (GET) or deletes (DELETE) one machine.
	PathMachineFmt = "/v1/machines/%s"
	// PathHistoryFmt lists a machine's changes: GET ?limit=&after=.
	PathHistoryFmt = "/v1/machines/%s/history"
	// PathActionFmt sets the pending action: PUT with an ActionRequest.
	PathActionFmt = "/v1/machines/%s/action"
	// PathApproveFmt approves a held registration: POST with an
	// ApprovalRequest; PathRejectFmt drops it.
	PathApproveFmt = "/v1/machines/%s/approve"
	PathRejectFmt  = "/v1/machines/%s/reject"
	// PathConflicts lists identity conflicts: GET.
	PathConflicts = "/v1/conflicts"
	// PathBMCCredentialsFmt: PUT by the agent (machine credential) with a
	// BMCCredentialsReport; GET by an operator (admin token) for the
	// BMCCredentials, password included.
	PathBMCCredentialsFmt = "/v1/machines/%s/bmc-credentials"
	// PathBMCVerifyFmt: POST (admin token) checks the stored BMC password
	// over RMCP+ now and answers the BMCCredentialsStatus.
	PathBMCVerifyFmt = "/v1/machines/%s/bmc-credentials/verify"
)

// Query parameters of PathMachines.
const (
	QueryVendor     = "vendor"      // case-insensitive substring of the manufacturer
	QueryProduct    = "product"     // case-insensitive substring of the product name
	QueryState      = "state"       // exact state
	QuerySwitch     = "switch"      // LLDP/CDP neighbour system name or chassis ID, case-insensitive
	QuerySeenSince  = "seen_since"  // RFC 3339: last seen at or after
	QuerySeenBefore = "seen_before" // RFC 3339: last seen before
	QueryLimit      = "limit"       // page size, 1-10000 (default 1000)
	QueryAfter      = "after"       // the Next of the previous page
)

// MachineList is a page of machines, ordered by ID.
type MachineList struct {
	Machines []Machine `json:"machines"`
	// Next, when set, is the QueryAfter value of the next page.
	Next string `json:"next,omitempty"`
}

// History is a page of a machine's changes, oldest first.
type History struct {
	MachineID string   `json:"machine_id"`
	Changes   []Change `json:"changes"`
	// Next, when set, is the QueryAfter value of the next page (an opaque
	// cursor).
	Next string `json:"next,omitempty"`
}

// MaxChangeDetails bounds the lines of one change: past it the change
// holds the first MaxChangeDetails lines and "… and N more differences".
const MaxChangeDetails = 200

// ActionRequest sets a machine's pending action: ActionReboot,
// ActionPowerOff, ActionRelease, ActionSendInventory, or ActionNone to clear
// it.
type ActionRequest struct {
	Action string `json:"action"`
}

// Change kinds.
const (
	ChangeRegistered      = "registered"
	ChangeInventory       = "inventory_changed"
	ChangeActionSet       = "action_set"
	ChangeActionDelivered = "action_delivered"
	ChangeState           = "state"
	// ChangeIdentityConflict: a registration or upload agreed with another
	// machine on an identity key and contradicted it on another.
	ChangeIdentityConflict = "identity_conflict"
	// ChangeHeld, ChangeApproved, ChangeRejected, ChangeRefused: the
	// re-enrolment policy held a takeover for approval, an operator
	// approved or rejected it, the policy refused one.
	ChangeHeld     = "registration_held"
	ChangeApproved = "registration_approved"
	ChangeRejected = "registration_rejected"
	ChangeRefused  = "registration_refused"
	// ChangeBMCCredentials: an agent reported BMC provisioning (details:
	// status, slot, changes; never the password).
	ChangeBMCCredentials = "bmc_credentials"
	// ChangeBMCVerified: the out-of-band check of the stored BMC password
	// changed outcome.
	ChangeBMCVerified = "bmc_verification"
)
