package kubesync

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/tinkerbell"
	"github.com/hwagent/hwagent/internal/kubetest"
	"github.com/hwagent/hwagent/kube"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/servertest"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/testinv"
)

// lockstep is a replica's real Kubernetes client whose reads of the object
// an apply would change (Current) return only once every replica has
// read: the instant two replicas apply two machines' first Hardware under
// one name, both before either writes.
type lockstep struct {
	*kube.Client
	arrived *sync.WaitGroup
}

func (l lockstep) Current(ctx context.Context, obj kube.Object) (kube.Object, error) {
	cur, err := l.Client.Current(ctx, obj)
	l.arrived.Done()
	done := make(chan struct{})
	go func() { l.arrived.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("the other replica never read %v", obj["metadata"])
	}
	return cur, err
}

// Two replicas on one PostgreSQL apply, at the same instant, two machines
// that get one Hardware name (one worker_id=). Each read no object before
// applying, so both wrote it, each "applied", the object describing
// whichever wrote last. The name is claimed in the store first
// (kube_names): exactly one machine applies, the other is refused naming
// it, and the object is the winner's.
func TestOneHardwareNameTwoReplicas(t *testing.T) {
	t.Parallel()
	ks := kubetest.Shared(t)
	pg, pgErr := servertest.StartPostgres(false)
	t.Cleanup(pg.Stop)
	dsn := pg.NewDatabase(t, pgErr)
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	if err := ks.WriteKubeconfig(kc, kubetest.Admin); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const ns = "kubesync-replicas"
	var ids []string
	var replicas []*Syncer
	var arrived sync.WaitGroup
	arrived.Add(2)
	for i := range 2 {
		st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{KubeOutbox: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		inv := testinv.Machine(95 + i)
		inv.Host.WorkerID = "3c:ec:ef:4c:4f:55"
		doc, err := store.NewDocument(inv)
		if err != nil {
			t.Fatal(err)
		}
		res, err := st.Register(ctx, store.Registration{Document: doc, CredentialHash: fmt.Sprintf("%064x", 95+i), Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.MachineID)
		x, err := export.New(plan.Plan{Namespace: ns, Names: plan.NamesDiscovery}, nil)
		if err != nil {
			t.Fatal(err)
		}
		client, err := kube.New(kube.Options{Kubeconfig: kc})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Config{Store: st, Outbox: st, Applier: lockstep{client, &arrived}, Exporter: x, ConfigID: "test"})
		if err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, s)
	}
	outcomes := make([]store.KubeOutcome, 2)
	var wg sync.WaitGroup
	for i, s := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i] = s.Sync(ctx, store.KubeTask{MachineID: ids[i], Generation: 1})
		}()
	}
	wg.Wait()

	var hw struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	if err := ks.Get(ctx, "/apis/tinkerbell.org/v1alpha1/namespaces/"+ns+"/hardware/discovery-3c-ec-ef-4c-4f-55", &hw); err != nil {
		t.Fatal(err)
	}
	owner := hw.Metadata.Annotations[tinkerbell.AnnotationMachineID]
	var applied, refused []string
	for i, o := range outcomes {
		switch {
		case o.State == api.KubeApplied:
			applied = append(applied, ids[i])
		case o.State == api.KubeFailed && strings.Contains(o.Message, "is machine "+ids[1-i]+"'s"):
			refused = append(refused, ids[i])
		default:
			t.Errorf("machine %s: %s %q", ids[i], o.State, o.Message)
		}
	}
	if len(applied) != 1 || len(refused) != 1 || owner != applied[0] {
		t.Errorf("applied %v, refused %v, the Hardware names %s: want one machine applied, the other refused, the object the applied one's", applied, refused, owner)
	}
}
