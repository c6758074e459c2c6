package sqlstore

import (
	"context"
	"errors"
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
		if err := s.SetBMCVerification(ctx, id, store.BMCVerification{Sealed: "box1", Result: "verified", Address: "10.0.0.42:623", Now: t2}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetBMCVerification(ctx, id, store.BMCVerification{Sealed: "old", Result: "wrong_password", Now: t3}); err != nil {
			t.Fatal(err)
		}
		want.Status.Verification, want.Status.VerifiedAt, want.Status.CheckedAt, want.Status.VerifyAddress = "verified", &t2, &t2, "10.0.0.42:623"
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
