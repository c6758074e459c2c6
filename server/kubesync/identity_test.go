package kubesync

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/tinkerbell"
	"github.com/hwagent/hwagent/internal/kubetest"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/kube"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/testinv"
)

// Two machines with one UUID (cloned firmware settings) are two machines
// to the server, and their agents derive one machine ID from it: the
// Hardware of each must name the machine the server knows
// (hwagent.io/machine-id is what an operator gives hwagent machines show
// or action). It named the agent's derived ID, so both Hardware named the
// first machine, and an action meant for the second went to the first.
func TestHardwareNamesTheServersMachine(t *testing.T) {
	t.Parallel()
	ks := kubetest.Shared(t)
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	if err := ks.WriteKubeconfig(kc, kubetest.Admin); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(dir, "hwagent.db"), sqlstore.Options{KubeOutbox: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	first := testinv.Machine(90)
	clone := testinv.WithUUID(testinv.Machine(91), first.System.Product.UUID)
	if first.Identity.MachineID != clone.Identity.MachineID {
		t.Fatalf("the agents derive %s and %s from one UUID, want one ID", first.Identity.MachineID, clone.Identity.MachineID)
	}
	var ids []string
	for i, inv := range []*inventory.Inventory{first, clone} {
		doc, err := store.NewDocument(inv)
		if err != nil {
			t.Fatal(err)
		}
		res, err := st.Register(ctx, store.Registration{Document: doc, CredentialHash: fmt.Sprintf("%064x", i+1), Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.MachineID)
	}
	if ids[0] == ids[1] {
		t.Fatalf("one machine for two serials: %v", ids)
	}

	const ns = "kubesync-identity"
	x, err := export.New(plan.Plan{Namespace: ns, Names: plan.NamesDiscovery}, nil)
	if err != nil {
		t.Fatal(err)
	}
	client, err := kube.New(kube.Options{Kubeconfig: kc})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Store: st, Outbox: st, Applier: client, Exporter: x, ConfigID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := st.KubeClaim(ctx, "test", time.Now(), time.Minute, 10)
	if err != nil || len(tasks) != 2 {
		t.Fatalf("claim: %v %v", tasks, err)
	}
	for _, task := range tasks {
		o := s.Sync(ctx, task)
		if o.State != api.KubeApplied || len(o.Objects) != 1 {
			t.Fatalf("sync %s: %+v", task.MachineID, o)
		}
		var hw struct {
			Metadata struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		ref := o.Objects[0] // "Hardware ns/name"
		name := ref[len("Hardware "+ns+"/"):]
		if err := ks.Get(ctx, "/apis/tinkerbell.org/v1alpha1/namespaces/"+ns+"/hardware/"+name, &hw); err != nil {
			t.Fatal(err)
		}
		if got := hw.Metadata.Annotations[tinkerbell.AnnotationMachineID]; got != task.MachineID {
			t.Errorf("%s of machine %s says %s", ref, task.MachineID, got)
		}
	}
}
