package kubesync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/internal/kubetest"
	"github.com/hwagent/hwagent/kube"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/store/sqlstore"
)

func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }

// TestStoredBMCLogin: the Rufio Secret carries the BMC login the agent
// provisioned and the server verified, in preference to the plan's; an
// unverified one is not used.
func TestStoredBMCLogin(t *testing.T) {
	t.Parallel()
	ks := kubetest.Shared(t)
	p := ks.Proxy(t)
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	if err := p.WriteKubeconfig(kc); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(dir, "hwagent.db"), sqlstore.Options{KubeOutbox: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	inv, err := source.FileRef("../../export/testdata/fleet/srv-x9dbl.json").Load()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := store.NewDocument(inv)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("credential"))
	cred := hex.EncodeToString(sum[:])
	reg, err := st.Register(ctx, store.Registration{Document: doc, CredentialHash: cred, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	key, err := bmcseal.WriteKeyFile(filepath.Join(dir, "seal.key"))
	if err != nil {
		t.Fatal(err)
	}
	// Sealed as the agent seals it (agent/bmc.go): the secret names the
	// machine and the user beside the password.
	box, err := json.Marshal(api.BMCSecret{MachineID: reg.MachineID, User: "hwagent", Password: "Stored-Pw-0123"})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := bmcseal.Seal(key.Public(), box)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutBMCCredentials(ctx, store.BMCReport{MachineID: reg.MachineID, CredentialHash: cred, Sealed: sealed, Now: time.Now(),
		Report: api.BMCCredentialsReport{Status: "ok", User: "hwagent", Privilege: "administrator", Slot: 3, Channel: 1}}); err != nil {
		t.Fatal(err)
	}

	const ns = "kubesync-bmc"
	x, err := export.New(plan.Plan{Namespace: ns, Names: plan.NamesDiscovery}, &plan.Credentials{Username: "ADMIN", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	client, err := kube.New(kube.Options{Kubeconfig: kc})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Store: st, Outbox: st, Applier: client, Exporter: x, ConfigID: "test", BMCLogin: StoredBMCLogin(st, key)})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "bmc-discovery-00-1f-f3-af-d3-f1-auth"
	sync := func(want string) {
		t.Helper()
		tasks, err := st.KubeClaim(ctx, "test", time.Now(), time.Minute, 10)
		if err != nil || len(tasks) != 1 {
			t.Fatalf("claim: %v %v", tasks, err)
		}
		o := s.Sync(ctx, tasks[0])
		if o.State != api.KubeApplied {
			t.Fatalf("sync: %+v", o)
		}
		o.Owner = "test"
		if err := st.KubeFinish(ctx, o); err != nil {
			t.Fatal(err)
		}
		sec, _ := p.Secret(ns, secret)
		if sec == nil || string(sec.Data["username"])+":"+string(sec.Data["password"]) != want {
			t.Errorf("Secret %s: %v, want the login %s", secret, sec, want)
		}
	}
	sync("ADMIN:s3cret") // stored but not verified yet: the plan's
	if err := st.SetBMCVerification(ctx, reg.MachineID, store.BMCVerification{Sealed: sealed, Result: "verified", Address: "10.20.0.11:623", BMCIP: doc.Summary.BMCIP, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// The verification marks the machine: no re-registration is needed.
	sync("hwagent:Stored-Pw-0123")
	// The machine's BMC moves to another address: the login was not
	// verified there, the Secret goes back to the plan's until it is.
	moved, err := source.FileRef("../../export/testdata/fleet/srv-x9dbl.json").Load()
	if err != nil {
		t.Fatal(err)
	}
	moved.BMC.LAN[0].IPv4 = "10.20.0.99"
	doc2, err := store.NewDocument(moved)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateInventory(ctx, store.InventoryUpdate{Document: doc2, MachineID: reg.MachineID, CredentialHash: cred, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	sync("ADMIN:s3cret")
}

func TestBackoff(t *testing.T) {
	s, err := New(Config{Store: dummyStore{}, Outbox: dummyOutbox{}, Applier: &kube.Client{}, Exporter: mustExporter(t)})
	if err != nil {
		t.Fatal(err)
	}
	for attempts, base := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second, 9: 256 * time.Second, 10: 5 * time.Minute, 40: 5 * time.Minute} {
		for i := 0; i < 20; i++ {
			d := s.backoff(attempts)
			if d < base*8/10 || d > base*12/10 {
				t.Errorf("backoff(%d) = %v, want %v ± 20%%", attempts, d, base)
			}
		}
	}
}

func mustExporter(t *testing.T) *export.Exporter {
	x, err := export.New(plan.Plan{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

type dummyStore struct{ store.Store }
type dummyOutbox struct{ store.KubeOutbox }
