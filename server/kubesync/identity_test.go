package kubesync

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
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

// Two machines that report one agent ID (one worker_id=, or one boot MAC:
// a NIC moved from one to the other) get one Hardware name. Both were
// applied to that one object, each "applied", the object describing
// whichever wrote last (its MAC, address, disks, machine ID), so a
// workflow meant for one ran on the other. The second is refused, the
// object stays the first's, until the first is deleted.
func TestOneHardwareNameTwoMachines(t *testing.T) {
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
	const ns = "kubesync-one-name"
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
	register := func(i int) string {
		t.Helper()
		inv := testinv.Machine(i)
		inv.Host.WorkerID = "3c:ec:ef:4c:4f:54"
		doc, err := store.NewDocument(inv)
		if err != nil {
			t.Fatal(err)
		}
		res, err := st.Register(ctx, store.Registration{Document: doc, CredentialHash: fmt.Sprintf("%064x", i), Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return res.MachineID
	}
	const path = "/apis/tinkerbell.org/v1alpha1/namespaces/" + ns + "/hardware/discovery-3c-ec-ef-4c-4f-54"
	owner := func() string {
		t.Helper()
		var hw struct {
			Metadata struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		if err := ks.Get(ctx, path, &hw); err != nil {
			t.Fatal(err)
		}
		return hw.Metadata.Annotations[tinkerbell.AnnotationMachineID]
	}
	claimAt := time.Now()
	sync := func(id string) store.KubeOutcome {
		t.Helper()
		claimAt = claimAt.Add(time.Hour) // past any backoff and lease
		tasks, err := st.KubeClaim(ctx, "test", claimAt, time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range tasks {
			if task.MachineID == id {
				o := s.Sync(ctx, task)
				o.Owner = "test"
				if err := st.KubeFinish(ctx, o); err != nil {
					t.Fatal(err)
				}
				return o
			}
		}
		t.Fatalf("%s not claimed: %+v", id, tasks)
		return store.KubeOutcome{}
	}
	a := register(92)
	if o := sync(a); o.State != api.KubeApplied {
		t.Fatalf("the first machine: %+v", o)
	}
	b := register(93)
	if o := sync(b); o.State != api.KubeFailed || !strings.Contains(o.Message, "is machine "+a+"'s") {
		t.Errorf("the second machine with the same agent ID: %s %q, want failed naming %s", o.State, o.Message, a)
	}
	if got := owner(); got != a {
		t.Errorf("the Hardware is %s's now, want still %s's", got, a)
	}
	// An annotation naming a machine that never wrote this object (an
	// older hwagent annotated the agent's derived ID, which machines
	// sharing a UUID share) does not make it that machine's.
	c := register(94)
	obj := kube.Object{"apiVersion": "tinkerbell.org/v1alpha1", "kind": "Hardware",
		"metadata": map[string]any{"name": "discovery-3c-ec-ef-4c-4f-54", "namespace": ns}}
	cur, err := client.Current(ctx, obj)
	if err != nil || cur == nil {
		t.Fatalf("read the Hardware: %v %v", cur, err)
	}
	meta := cur["metadata"].(map[string]any)
	meta["annotations"].(map[string]any)[tinkerbell.AnnotationMachineID] = c
	delete(meta, "managedFields")
	delete(meta, "resourceVersion")
	delete(cur, "status")
	if _, err := client.Apply(ctx, cur); err != nil {
		t.Fatal(err)
	}
	register(92) // boots again: applied again
	if o := sync(a); o.State != api.KubeApplied || owner() != a {
		t.Errorf("the first machine over an object annotated with %s, which never wrote it: %+v, owner %s", c, o, owner())
	}
	if err := st.Delete(ctx, a); err != nil {
		t.Fatal(err)
	}
	if o := sync(b); o.State != api.KubeApplied {
		t.Errorf("the second machine once the first is deleted: %+v", o)
	}
	if got := owner(); got != b {
		t.Errorf("the Hardware is %s's, want %s's", got, b)
	}
}
