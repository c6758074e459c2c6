package sqlstore

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

func TestBMCCredentials(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := register(t, s, testinv.Machine(1), hash(1), 0).MachineID
		if _, err := s.BMCCredentials(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("before any report: %v, want ErrNotFound", err)
		}
		ok := api.BMCCredentialsReport{Status: "ok", User: "hwagent", Privilege: "administrator", Slot: 3, Channel: 1, Changes: []string{`named slot 3 "hwagent"`}}
		if err := s.PutBMCCredentials(ctx, store.BMCReport{MachineID: id, CredentialHash: hash(2), Report: ok, Sealed: "box1", Now: at(1)}); !errors.Is(err, store.ErrBadCredential) {
			t.Errorf("another credential: %v, want ErrBadCredential", err)
		}
		if err := s.PutBMCCredentials(ctx, store.BMCReport{MachineID: id, CredentialHash: hash(1), Report: ok, Sealed: "box1", Now: at(1)}); err != nil {
			t.Fatal(err)
		}
		rec, err := s.BMCCredentials(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		t1, t2, t3 := at(1), at(2), at(3)
		want := store.BMCRecord{Sealed: "box1", Status: api.BMCCredentialsStatus{User: "hwagent", Privilege: "administrator", Slot: 3, Channel: 1,
			Status: "ok", ReportedAt: t1, PasswordSetAt: &t1, Verification: "pending"}}
		if diff := cmp.Diff(want, rec); diff != "" {
			t.Errorf("after the report (-want +got):\n%s", diff)
		}
		// A check of the stored box records the time; a check of an older
		// box is dropped.
		if err := s.SetBMCVerification(ctx, id, store.BMCVerification{Sealed: "box1", Result: "verified", Address: "10.30.1.2:623", BMCIP: "10.30.1.2", Now: t2}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetBMCVerification(ctx, id, store.BMCVerification{Sealed: "old", Result: "wrong_password", BMCIP: "10.30.1.2", Now: t3}); err != nil {
			t.Fatal(err)
		}
		want.Status.Verification, want.Status.VerifiedAt, want.Status.CheckedAt, want.Status.VerifyAddress = "verified", &t2, &t2, "10.30.1.2:623"
		m, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&want.Status, m.BMCCredentials); diff != "" {
			t.Errorf("machines show (-want +got):\n%s", diff)
		}
		list, err := s.List(ctx, store.Filter{})
		if err != nil || len(list) != 1 {
			t.Fatal(list, err)
		}
		if diff := cmp.Diff(&want.Status, list[0].BMCCredentials); diff != "" {
			t.Errorf("machines list (-want +got):\n%s", diff)
		}
		// A failed rotation keeps the stored, verified password.
		failed := api.BMCCredentialsReport{Status: "refused", Error: "set user password: completion code 0xd4", User: "hwagent", Privilege: "administrator"}
		if err := s.PutBMCCredentials(ctx, store.BMCReport{MachineID: id, CredentialHash: hash(1), Report: failed, Now: t3}); err != nil {
			t.Fatal(err)
		}
		rec, _ = s.BMCCredentials(ctx, id)
		if rec.Sealed != "box1" || rec.Status.Status != "refused" || rec.Status.VerifiedAt == nil || rec.Status.Error != failed.Error {
			t.Errorf("after a failed report: %+v", rec)
		}
		// A new password is unverified until checked.
		if err := s.PutBMCCredentials(ctx, store.BMCReport{MachineID: id, CredentialHash: hash(1), Report: ok, Sealed: "box2", Now: t3}); err != nil {
			t.Fatal(err)
		}
		rec, _ = s.BMCCredentials(ctx, id)
		if rec.Sealed != "box2" || rec.Status.Verification != "pending" || rec.Status.VerifiedAt != nil {
			t.Errorf("after a rotation: %+v", rec)
		}
		h, err := s.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, c := range h {
			kinds = append(kinds, c.Kind)
		}
		if diff := cmp.Diff([]string{api.ChangeRegistered, api.ChangeBMCCredentials, api.ChangeBMCVerified, api.ChangeBMCCredentials, api.ChangeBMCCredentials}, kinds); diff != "" {
			t.Errorf("history kinds (-want +got):\n%s", diff)
		}
		if err := s.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := s.BMCCredentials(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after delete: %v", err)
		}
	})
}

// TestBMCVerificationFollowsTheAddress: a password verified at one BMC
// address is not "verified" once the machine reports another (an upload,
// a registration), in the same transaction as the address; a check of the
// old address finishing afterwards is dropped.
func TestBMCVerificationFollowsTheAddress(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		inv := testinv.Machine(1)
		oldIP := inv.BMC.LAN[0].IPv4
		id := register(t, s, inv, hash(1), 0).MachineID
		ok := api.BMCCredentialsReport{Status: "ok", User: "hwagent", Privilege: "administrator", Slot: 3, Channel: 1}
		if err := s.PutBMCCredentials(ctx, store.BMCReport{MachineID: id, CredentialHash: hash(1), Report: ok, Sealed: "box1", Now: at(1)}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetBMCVerification(ctx, id, store.BMCVerification{Sealed: "box1", Result: "verified", Address: oldIP + ":623", BMCIP: oldIP, Now: at(2)}); err != nil {
			t.Fatal(err)
		}
		status := func(what string) *api.BMCCredentialsStatus {
			t.Helper()
			m, err := s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			list, err := s.List(ctx, store.Filter{})
			if err != nil || len(list) != 1 {
				t.Fatal(list, err)
			}
			if diff := cmp.Diff(m.BMCCredentials, list[0].BMCCredentials); diff != "" {
				t.Errorf("%s: machines show and list differ (-show +list):\n%s", what, diff)
			}
			rec, err := s.BMCCredentials(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(m.BMCCredentials, &rec.Status); diff != "" {
				t.Errorf("%s: machines show and the stored record differ (-show +record):\n%s", what, diff)
			}
			return m.BMCCredentials
		}
		if st := status("verified"); st.Verification != "verified" {
			t.Fatalf("after the check: %+v", st)
		}

		// The machine uploads an inventory with another BMC address.
		moved := testinv.Machine(1)
		moved.BMC.LAN[0].IPv4 = "10.99.77.3"
		if err := s.UpdateInventory(ctx, store.InventoryUpdate{Document: doc(t, moved), MachineID: id, CredentialHash: hash(1), Now: at(3)}); err != nil {
			t.Fatal(err)
		}
		st := status("after the upload")
		if st.Verification != "pending" || !strings.Contains(st.VerifyError, `from "`+oldIP+`" to "10.99.77.3"`) {
			t.Errorf("after the address changed: verification %q (%q), want pending naming both addresses", st.Verification, st.VerifyError)
		}
		// The old address's check, finishing late, changes nothing.
		if err := s.SetBMCVerification(ctx, id, store.BMCVerification{Sealed: "box1", Result: "verified", Address: oldIP + ":623", BMCIP: oldIP, Now: at(4)}); err != nil {
			t.Fatal(err)
		}
		if st := status("a late check of the old address"); st.Verification != "pending" {
			t.Errorf("a check of the old address recorded after the change: %+v", st)
		}
		// A check of the new address counts.
		if err := s.SetBMCVerification(ctx, id, store.BMCVerification{Sealed: "box1", Result: "verified", Address: "10.99.77.3:623", BMCIP: "10.99.77.3", Now: at(5)}); err != nil {
			t.Fatal(err)
		}
		if st := status("checked at the new address"); st.Verification != "verified" || st.VerifyAddress != "10.99.77.3:623" {
			t.Errorf("after the check at the new address: %+v", st)
		}
		// The same upload again changes nothing; a registration back at the
		// old address resets it again.
		if err := s.UpdateInventory(ctx, store.InventoryUpdate{Document: doc(t, moved), MachineID: id, CredentialHash: hash(1), Now: at(6)}); err != nil {
			t.Fatal(err)
		}
		if st := status("same address"); st.Verification != "verified" {
			t.Errorf("an upload with the same address reset the verification: %+v", st)
		}
		register(t, s, testinv.Machine(1), hash(2), 7)
		if st := status("after the registration"); st.Verification != "pending" {
			t.Errorf("a registration with another address kept the verification: %+v", st)
		}
		h, err := s.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var resets int
		for _, c := range h {
			if c.Kind == api.ChangeBMCVerified && len(c.Details) > 0 && strings.HasPrefix(c.Details[0], "pending: the BMC address changed") {
				resets++
			}
		}
		if resets != 2 {
			t.Errorf("history has %d verification resets, want 2: %+v", resets, h)
		}

		// Who else reports an address.
		other := register(t, s, testinv.Machine(2), hash(3), 8).MachineID
		got, err := s.MachinesWithBMCIP(ctx, testinv.Machine(2).BMC.LAN[0].IPv4, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{other}, got); diff != "" {
			t.Errorf("MachinesWithBMCIP (-want +got):\n%s", diff)
		}
		if got, err := s.MachinesWithBMCIP(ctx, oldIP, id); err != nil || len(got) != 0 {
			t.Errorf("MachinesWithBMCIP of the machine's own address without it: %v, %v", got, err)
		}
	})
}
