package reenroll

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pinnedOnly is a Verifier with the shape of the TPM one: it speaks for
// machines with an "ek" pin (allowing the one whose request names the same
// key) and for new machines presenting one (pinning it).
type pinnedOnly struct{ ek string }

func (p pinnedOnly) Verify(_ context.Context, r Request) (Decision, bool, error) {
	switch {
	case r.Pins["ek"] != "" && p.ek == r.Pins["ek"]:
		return Decision{Verdict: Allow, Reason: "tpm proven"}, true, nil
	case r.Pins["ek"] != "":
		return Decision{Verdict: Refuse, Reason: "tpm cannot answer"}, true, nil
	case !r.Takeover() && p.ek != "":
		return Decision{Verdict: Allow, Pins: map[string]string{"ek": p.ek}}, true, nil
	}
	return Decision{}, false, nil
}

type failing struct{}

func (failing) Verify(context.Context, Request) (Decision, bool, error) {
	return Decision{}, false, errors.New("tpm unreachable")
}

func TestPolicies(t *testing.T) {
	t.Parallel()
	newMachine := Request{Peer: "10.0.0.1"}
	takeover := Request{MachineID: "m-1", Peer: "10.0.0.1"}
	pinned := Request{MachineID: "m-1", Pins: map[string]string{"ek": "A"}}
	tests := []struct {
		name   string
		policy string
		v      Verifier
		req    Request
		want   Decision
	}{
		{"allow new", NameAllow, nil, newMachine, Decision{Verdict: Allow}},
		{"allow takeover", NameAllow, nil, takeover, Decision{Verdict: Allow}},
		{"approve new", NameApprove, nil, newMachine, Decision{Verdict: Allow}},
		{"approve takeover", NameApprove, nil, takeover, Decision{Verdict: Hold, Reason: ReasonApproval}},
		{"tpm without verifier: new", NameTPM, nil, newMachine, Decision{Verdict: Allow}},
		{"tpm without verifier: takeover", NameTPM, nil, takeover, Decision{Verdict: Hold, Reason: ReasonNoTPM}},
		{"tpm without verifier: pinned", NameTPM, nil, pinned, Decision{Verdict: Hold, Reason: ReasonNoTPM}},
		{"tpm new machine with a TPM pins it", NameTPM, pinnedOnly{"A"}, newMachine, Decision{Verdict: Allow, Pins: map[string]string{"ek": "A"}}},
		{"tpm pinned, same TPM", NameTPM, pinnedOnly{"A"}, pinned, Decision{Verdict: Allow, Reason: "tpm proven"}},
		{"tpm pinned, other TPM", NameTPM, pinnedOnly{"B"}, pinned, Decision{Verdict: Refuse, Reason: "tpm cannot answer"}},
		{"tpm machine without TPM: approve", NameTPM, pinnedOnly{""}, takeover, Decision{Verdict: Hold, Reason: ReasonNoTPM}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := New(tt.policy, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Decide(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := New("trust", nil); err == nil || err.Error() != `re-enrolment policy "trust": want allow, approve, tpm` {
		t.Errorf("New(trust) = %v", err)
	}
	if _, err := (TPM{Verifier: failing{}}).Decide(context.Background(), takeover); err == nil {
		t.Error("a failing verifier's error was swallowed")
	}
}
