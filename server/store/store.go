package store

import (
	"context"
	"errors"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/reenroll"
)

// Errors the methods return; wrap-aware (errors.Is).
var (
	// ErrNotFound: no machine with that ID.
	ErrNotFound = errors.New("machine not found")
	// ErrBadCredential: the machine credential does not belong to the
	// machine (it was rotated by a new registration, or the machine was
	// deleted).
	ErrBadCredential = errors.New("credential does not match the machine")
	// ErrUnavailable: the database cannot be reached or is shutting down.
	ErrUnavailable = errors.New("store unavailable")
	// ErrBadCursor: a page cursor the store did not hand out.
	ErrBadCursor = errors.New("not a cursor of this list")
	// ErrMatchChanged: a registration decided for one match now matches
	// another machine (a concurrent registration changed the keys); match
	// and decide again.
	ErrMatchChanged = errors.New("registration matches another machine than the one decided for")
	// ErrNoPending: the machine has no held registration (to approve or
	// reject).
	ErrNoPending = errors.New("no registration waits for approval")
	// ErrAmbiguous: the machine has several held registrations and none
	// was named.
	ErrAmbiguous = errors.New("several registrations wait for approval: name one")
)

// PendingError is returned by MachineForCredential for the credential of a
// held registration: it is not (yet) the machine's.
type PendingError struct {
	MachineID, PendingID string
}

func (e *PendingError) Error() string {
	return "credential of registration " + e.PendingID + " of " + e.MachineID + ", waiting for approval"
}

// ConflictError refuses an inventory that carries another machine's
// identity key or contradicts the machine's own identity; nothing was
// stored.
type ConflictError struct {
	// MachineID is the machine the inventory was for.
	MachineID string
	// Other is the machine holding Key, empty when the inventory
	// contradicts MachineID's own identity.
	Other, Key string
	// Reason says what contradicts what.
	Reason string
}

func (e *ConflictError) Error() string {
	if e.Other != "" {
		return "identity key " + e.Key + " belongs to machine " + e.Other + ": " + e.Reason
	}
	return "inventory contradicts the identity of machine " + e.MachineID + ": " + e.Reason
}

// Store keeps machines. Implementations are safe for concurrent use, and
// several server processes may share one PostgreSQL store.
type Store interface {
	// Match returns the known machine a registration of doc would take
	// over under the identity rules (docs/protocol.md), or an empty Match
	// for a new machine, with what re-enrolment policies pinned on it.
	// Nothing is written.
	Match(ctx context.Context, doc Document) (Match, error)
	// Register carries out in.Decision for the machine doc matches,
	// atomically: concurrent registrations of one machine yield one
	// machine. When in.Decision is set and doc no longer matches
	// in.Matched, nothing is written and the error is ErrMatchChanged.
	Register(ctx context.Context, in Registration) (RegisterResult, error)
	// Approve carries out a held registration of machine id (pendingID
	// may be empty when there is one): the machine takes its inventory
	// and credential; the machine's other held registrations are dropped.
	// It returns the approved registration's ID.
	Approve(ctx context.Context, id, pendingID string, now time.Time) (string, error)
	// Reject drops a held registration (pendingID empty: every one).
	Reject(ctx context.Context, id, pendingID string, now time.Time) error
	// Conflicts lists identity conflicts ordered by machine IDs.
	Conflicts(ctx context.Context) ([]api.Conflict, error)
	// MachineForCredential returns the ID of the machine whose credential
	// hashes to hash, a *PendingError for the credential of a held
	// registration, or ErrNotFound.
	MachineForCredential(ctx context.Context, hash string) (string, error)
	// Checkin records a check-in and returns the action for the agent.
	Checkin(ctx context.Context, in Checkin) (CheckinResult, error)
	// UpdateInventory replaces the machine's inventory and records what
	// changed.
	UpdateInventory(ctx context.Context, in InventoryUpdate) error
	// UpdateHeld replaces the inventory of the registration held for
	// approval whose credential is in.CredentialHash, for machine
	// in.MachineID: its agent's first update (docs/protocol.md, "What a
	// registration carries"), which an operator then compares and
	// approves. ErrNotFound when no such registration is held (approved or
	// rejected meanwhile); *ConflictError when the document's identity
	// keys are not the held registration's.
	UpdateHeld(ctx context.Context, in InventoryUpdate) error
	// List returns the machines matching f, ordered by ID.
	List(ctx context.Context, f Filter) ([]api.Machine, error)
	// Get returns one machine with its inventory.
	Get(ctx context.Context, id string) (api.Machine, error)
	// History returns the machine's changes, oldest first.
	History(ctx context.Context, id string) ([]api.Change, error)
	// HistoryPage returns at most limit changes after the cursor ("": from
	// the first), oldest first, and the cursor of the next page ("": none).
	// A cursor is an opaque string HistoryPage returned; another one is
	// ErrBadCursor.
	HistoryPage(ctx context.Context, id, after string, limit int) ([]api.Change, string, error)
	// SetAction sets (or, with api.ActionNone, clears) the pending action.
	SetAction(ctx context.Context, id, action string, now time.Time) error
	// Delete forgets the machine, its keys and its history.
	Delete(ctx context.Context, id string) error
	// CountByState counts machines per state.
	CountByState(ctx context.Context) (map[string]int, error)
	// PutBMCCredentials records an agent's BMC provisioning report for an
	// authenticated machine. A report with a sealed password replaces the
	// stored one and marks it unverified; one without keeps it.
	PutBMCCredentials(ctx context.Context, in BMCReport) error
	// BMCCredentials returns the machine's BMC record, sealed password
	// included, or ErrNotFound when it has none.
	BMCCredentials(ctx context.Context, id string) (BMCRecord, error)
	// SetBMCVerification records an out-of-band check of the sealed
	// password v.Sealed; it is dropped when that is no longer the stored
	// one (a rotation arrived meanwhile) or the machine's BMC IP is no
	// longer v.BMCIP. A registration or an inventory upload that changes
	// the machine's BMC IP sets a stored password's verification back to
	// "pending" in the same transaction: a login is never "verified" for
	// an address it was not checked at.
	SetBMCVerification(ctx context.Context, id string, v BMCVerification) error
	// MachinesWithBMCIP returns the IDs of the machines other than except
	// whose inventory reports BMC IP ip (api.Machine.BMCIP, compared as
	// stored), at most 8, in ID order.
	MachinesWithBMCIP(ctx context.Context, ip, except string) ([]string, error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Ready checks that the database answers and takes writes: an error
	// while writes fail for a storage reason (disk full, I/O error,
	// read-only), so that a load balancer stops sending agents to a
	// server that can store nothing.
	Ready(ctx context.Context) error
	// Close finishes pending writes and releases the database.
	Close() error
}

// Document is an inventory as the server keeps it.
type Document struct {
	Inventory *inventory.Inventory
	// JSON is Inventory's JSON, stored as is: as the agent sent it, or
	// encoded by encoding/json (see NewDocumentJSON).
	JSON []byte
	// Digest is inventory.Digest(Inventory).
	Digest string
	// Identity is the server's derivation of the machine's identity (see
	// NewDocument); Keys are its keys, strongest first.
	Identity inventory.Identity
	Keys     []string
	// Summary holds the columns listings filter on.
	Summary Summary
	// Pending are the collectors the inventory lists as pending
	// (inventory.StatusPending): a registration `hwagent run` sent before
	// they finished; their sections arrive in the agent's first update.
	// A store keeps a known machine's inventory when it registers with
	// such a document (docs/protocol.md, "Registration").
	Pending []string
}

// Registration is a machine registering.
type Registration struct {
	Document
	// CredentialHash is the SHA-256 (hex) of the fresh machine credential.
	CredentialHash string
	Now            time.Time
	// Peer is the address the registration came from, for the history.
	Peer string
	// Matched is the Match.MachineID Decision was made for.
	Matched string
	// Decision is the re-enrolment policy's; a zero Decision allows
	// whatever the registration matches (tools and tests without a
	// policy).
	Decision reenroll.Decision
}

// Match is the machine a registration would take over.
type Match struct {
	// MachineID is empty for a new machine.
	MachineID string
	// Pins are what re-enrolment policies pinned on the machine.
	Pins map[string]string
}

// RegisterResult says which machine the registration landed on and what
// was done.
type RegisterResult struct {
	MachineID string
	// Created is true for a machine seen for the first time.
	Created bool
	// InventoryChanged is true when an existing machine's digest changed.
	InventoryChanged bool
	// Verdict is what was carried out: reenroll.Allow, Hold or Refuse.
	Verdict reenroll.Verdict
	// PendingID names the held registration (Verdict Hold), or the
	// refused one kept for an operator (Refuse, Decision.Approvable).
	PendingID string
	// Conflicts are the machines the registration found itself in
	// identity conflict with (recorded on both).
	Conflicts []string
}

// Checkin is one check-in of an authenticated machine.
type Checkin struct {
	MachineID      string
	CredentialHash string
	State          string
	Digest         string
	UptimeSeconds  float64
	AgentVersion   string
	Now            time.Time
	// AcksActions: the agent acknowledges actions, so a pending action
	// stays until AckActionID names it. Without it a pending action is
	// cleared (and recorded as delivered) once answered.
	AcksActions bool
	// AckActionID acknowledges the pending action of that ID: it is
	// cleared and recorded as delivered.
	AckActionID string
}

// CheckinResult is what the agent is told.
type CheckinResult struct {
	// Action is the pending action (with ActionID), else
	// api.ActionSendInventory when the digests differ, else api.ActionNone.
	Action   string
	ActionID string
	// AckedActionID is Checkin.AckActionID when the acknowledgement is
	// accepted: it named the pending action, or the one acknowledged last.
	AckedActionID string
}

// InventoryUpdate is a new inventory from an authenticated machine.
type InventoryUpdate struct {
	Document
	MachineID      string
	CredentialHash string
	Now            time.Time
}

// Filter selects machines; zero fields match everything.
type Filter struct {
	// Vendor and Product match the manufacturer and product name,
	// case-insensitively, as substrings.
	Vendor, Product string
	// State matches exactly.
	State string
	// Switch matches a neighbour's system name or chassis ID, ignoring case.
	Switch string
	// SeenSince and SeenBefore bound the last check-in or registration.
	SeenSince, SeenBefore time.Time
	// After is the ID the page starts after; Limit bounds its length (0: no bound).
	After string
	Limit int
}

// BMCReport is an agent's BMC provisioning report.
type BMCReport struct {
	MachineID      string
	CredentialHash string
	Report         api.BMCCredentialsReport
	// Sealed is the password box as received (sealed to the server's key:
	// that is how it is kept at rest); empty when the report has none.
	Sealed string
	Now    time.Time
}

// BMCRecord is what the store keeps of a machine's BMC user.
type BMCRecord struct {
	Status api.BMCCredentialsStatus
	// Sealed is the stored password box, "" when none.
	Sealed string
}

// BMCVerification is the outcome of one RMCP+ login with the stored
// password.
type BMCVerification struct {
	// Sealed is the box that was checked.
	Sealed string
	// Result is "verified" or an error class (api.BMCCredentialsStatus).
	Result  string
	Error   string
	Address string
	// BMCIP is the machine's BMC IP (api.Machine.BMCIP) the check was
	// made for: the outcome is dropped when the machine reports another
	// one by the time it is recorded (a check of the old address says
	// nothing about the new one).
	BMCIP string
	Now   time.Time
}

// TPMChallenge is a credential challenge the server issued to an agent
// (server/tpmverify): what its answer is checked against. The secret
// itself is not kept, only its SHA-256.
type TPMChallenge struct {
	ID        string
	MachineID string
	// EKSHA256 is the endorsement key challenged, AKName (hex) the
	// attestation key the credential names.
	EKSHA256, AKName string
	// SecretSHA256 is the hex SHA-256 of the credential's secret.
	SecretSHA256        string
	IssuedAt, ExpiresAt time.Time
	// CredentialBlob and EncryptedSecret are what the agent was sent
	// (public: only the TPM holding the EK opens them), kept so that the
	// challenge is sent again while it is outstanding; empty for
	// challenges stored before they were kept.
	CredentialBlob, EncryptedSecret []byte
}
