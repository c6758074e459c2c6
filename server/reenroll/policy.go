package reenroll

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hwagent/hwagent/server/api"
)

// Verdict is what a Policy decides about one registration.
type Verdict string

// Verdicts.
const (
	// Allow lets the registration create the machine or take it over.
	Allow Verdict = "allow"
	// Hold keeps a takeover pending until an operator approves it; the
	// agent gets a credential that works once approved.
	Hold Verdict = "hold"
	// Refuse answers 403 and records the attempt on the machine.
	Refuse Verdict = "refuse"
	// Challenge answers with Decision.Response (200, no machine ID, no
	// credential): the agent proves itself with a second registration.
	Challenge Verdict = "challenge"
)

// Request is one registration as a policy sees it, after matching and
// before anything is written.
type Request struct {
	// MachineID is the known machine the registration matched under the
	// identity rules; empty when it creates a new machine.
	MachineID string
	// Peer is the address the registration came from (host, no port).
	Peer string
	// Register is the request body as received: the inventory, and any
	// evidence fields an agent added (TPM).
	Register *api.RegisterRequest
	// Pins are what policies pinned on the matched machine before
	// (Decision.Pins); nil for a new machine.
	Pins map[string]string
	// Now is the server's clock.
	Now time.Time
}

// Takeover reports whether the registration matched a known machine (as
// opposed to creating one).
func (r Request) Takeover() bool { return r.MachineID != "" }

// Decision is a policy's answer.
type Decision struct {
	Verdict Verdict
	// Reason says why, for the machine's history, the log and (Hold,
	// Refuse) the agent: "operator approval required (--reenroll approve)".
	Reason string
	// Pins are stored on the machine together with the outcome (Allow:
	// with the registration, or the new machine; Hold and Refuse: on the
	// matched machine). An empty value removes the pin. Policies keep
	// their evidence here (a TPM's endorsement key).
	Pins map[string]string
	// Response is the answer to a Challenge.
	Response *api.RegisterResponse
	// Approvable (Refuse only): the registration is also kept as a held
	// registration an operator may approve (`hwagent machines approve`),
	// for a refusal that a legitimate hardware change also causes (a
	// replaced TPM). Its agent is refused all the same.
	Approvable bool
}

// Policy decides registrations. Decide may be called more than once for
// one request (the server decides again when a concurrent registration
// changed what the request matched), so it must not assume that a decision
// it returned was carried out.
type Policy interface {
	Decide(ctx context.Context, r Request) (Decision, error)
}

// Names of the policies, as `--reenroll` takes them.
const (
	NameAllow   = "allow"
	NameApprove = "approve"
	NameTPM     = "tpm"
)

// Names lists the policies.
var Names = []string{NameAllow, NameApprove, NameTPM}

// New returns the policy called name. v is the TPM verifier for "tpm"
// (nil: every machine falls back to the approve rules).
func New(name string, v Verifier) (Policy, error) {
	switch name {
	case NameAllow, "":
		return AllowAll{}, nil
	case NameApprove:
		return Approve{}, nil
	case NameTPM:
		return TPM{Verifier: v}, nil
	}
	return nil, fmt.Errorf("re-enrolment policy %q: want %s", name, strings.Join(Names, ", "))
}

// AllowAll lets every registration through: the default, and the
// behaviour of servers before re-enrolment policies existed. The server
// records each credential rotation with the peer address.
type AllowAll struct{}

// Decide implements Policy.
func (AllowAll) Decide(context.Context, Request) (Decision, error) {
	return Decision{Verdict: Allow}, nil
}

// ReasonApproval is the reason Approve holds a takeover for.
const ReasonApproval = "operator approval required (--reenroll approve)"

// Approve creates new machines and holds every takeover of a known machine
// until an operator approves it.
type Approve struct{}

// Decide implements Policy.
func (Approve) Decide(_ context.Context, r Request) (Decision, error) {
	return approve(r, ReasonApproval), nil
}

func approve(r Request, reason string) Decision {
	if !r.Takeover() {
		return Decision{Verdict: Allow}
	}
	return Decision{Verdict: Hold, Reason: reason}
}

// Verifier proves with a TPM that a registration comes from the physical
// machine it matched. The tpm package implements it.
type Verifier interface {
	// Verify decides r when TPM evidence applies to it: the matched
	// machine has a TPM pinned (r.Pins), or the request carries TPM
	// evidence. For a new machine it typically allows and pins the
	// endorsement key; for a pinned machine it challenges, allows once
	// the challenge is answered, and refuses what cannot answer. applies
	// false leaves the registration to the approve rules.
	Verify(ctx context.Context, r Request) (d Decision, applies bool, err error)
}

// ReasonNoTPM is the reason TPM holds a takeover of a machine without a
// pinned TPM for.
const ReasonNoTPM = "no TPM to prove the machine's identity: operator approval required (--reenroll tpm)"

// TPM decides with the Verifier where a TPM applies and holds the other
// takeovers for approval, like Approve.
type TPM struct {
	Verifier Verifier // nil: the approve rules for every machine
}

// Decide implements Policy.
func (p TPM) Decide(ctx context.Context, r Request) (Decision, error) {
	if p.Verifier != nil {
		d, applies, err := p.Verifier.Verify(ctx, r)
		if err != nil {
			return Decision{}, fmt.Errorf("tpm verification: %w", err)
		}
		if applies {
			return d, nil
		}
	}
	return approve(r, ReasonNoTPM), nil
}
