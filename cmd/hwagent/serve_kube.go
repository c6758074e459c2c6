//go:build !noserver

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/pflag"
	"k8s.io/klog/v2"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/internal/version"
	"github.com/hwagent/hwagent/kube"
	"github.com/hwagent/hwagent/server/kubesync"
	"github.com/hwagent/hwagent/server/store"
)

// kubeFlags are the flags that write machines to Kubernetes, shared by
// serve and export tinkerbell --apply.
type kubeFlags struct {
	kubeconfig string
	context    string
	force      bool
}

func (k *kubeFlags) bind(fs *pflag.FlagSet, prefix string) {
	fs.StringVar(&k.kubeconfig, "kubeconfig", "", "kubeconfig of the cluster that holds Tinkerbell's Hardware CRDs (contexts, client certificates, tokens and exec plugins as kubectl reads them)")
	fs.StringVar(&k.context, prefix+"context", "", "kubeconfig context (default: its current-context)")
	fs.BoolVar(&k.force, prefix+"force-conflicts", false, "take fields other field managers hold (kubectl apply --server-side --force-conflicts); by default they are left and reported")
}

// client opens the Kubernetes client; klog (client-go's logger) goes to
// logger.
func (k *kubeFlags) client(logger *slog.Logger) (*kube.Client, error) {
	klog.SetSlogLogger(logger.With("component", "client-go"))
	return kube.New(kube.Options{
		Kubeconfig: k.kubeconfig, Context: k.context, Force: k.force,
		UserAgent: "hwagent/" + version.String(), Logger: logger,
	})
}

// serveKubeFlags are serve's Kubernetes flags.
type serveKubeFlags struct {
	kubeFlags
	namespace string
	plan      string
}

func (f *serveKubeFlags) bind(fs *pflag.FlagSet) {
	f.kubeFlags.bind(fs, "kube-")
	fs.StringVar(&f.namespace, "kube-namespace", "", "namespace of the Hardware objects (default: the plan's namespace, else "+plan.DefaultNamespace+")")
	fs.StringVar(&f.plan, "plan", "", "with --kubeconfig: the export plan (YAML) the Hardware objects follow: addresses (fixed, and the pool, handed out once per machine and kept), hostnames, labels, roles, BMC credentials")
}

func (f *serveKubeFlags) enabled() bool { return f.kubeconfig != "" }

// syncer builds the Kubernetes syncer of serve --kubeconfig. With the BMC
// credentials policy's seal key, Rufio Secrets carry the BMC logins agents
// provisioned and the server verified, over the plan's.
func (f *serveKubeFlags) syncer(logger *slog.Logger, st store.Store, outbox store.KubeOutbox, sealKey *bmcseal.Key) (*kubesync.Syncer, error) {
	p := &plan.Plan{}
	var planBytes []byte
	if f.plan != "" {
		var err error
		if p, err = plan.LoadPlan(f.plan); err != nil {
			return nil, err
		}
	}
	if f.namespace != "" {
		p.Namespace = f.namespace
	}
	if p.Names == "" {
		p.Names = plan.NamesDiscovery
	}
	creds := &plan.Credentials{}
	var credBytes []byte
	if p.BMCCredentialsFile != "" {
		var err error
		if credBytes, err = os.ReadFile(p.BMCCredentialsFile); err != nil {
			return nil, fmt.Errorf("bmc credentials: %w", err)
		}
		if creds, err = plan.ParseCredentials(credBytes); err != nil {
			return nil, fmt.Errorf("bmc credentials %s: %w", p.BMCCredentialsFile, err)
		}
	}
	creds.Default = plan.MachineCredentials{Username: os.Getenv("HWAGENT_BMC_USERNAME"), Password: secret.Value(os.Getenv("HWAGENT_BMC_PASSWORD"))}
	x, err := export.New(*p, creds)
	if err != nil {
		return nil, err
	}
	client, err := f.client(logger)
	if err != nil {
		return nil, err
	}
	planBytes, err = json.Marshal(x.Plan())
	if err != nil {
		return nil, err
	}
	// The configuration's fingerprint: machines applied under another one
	// are applied again at start. Secrets enter only as a hash.
	h := sha256.New()
	for _, part := range [][]byte{planBytes, credBytes, []byte(creds.Default.Username), []byte(creds.Default.Password.Reveal()),
		[]byte(client.Host()), []byte(fmt.Sprint(f.force)), []byte(fmt.Sprint(sealKey != nil))} {
		h.Write(part)
		h.Write([]byte{0})
	}
	logger.Info("kubernetes: applying machines", "server", client.Host(), "namespace", x.Plan().Namespace,
		"names", x.Plan().Names, "field_manager", client.FieldManager(), "force_conflicts", f.force)
	cfg := kubesync.Config{
		Store: st, Outbox: outbox, Applier: client, Exporter: x,
		ConfigID: hex.EncodeToString(h.Sum(nil))[:16], Logger: logger,
	}
	if sealKey != nil {
		cfg.BMCLogin = kubesync.StoredBMCLogin(st, sealKey)
	}
	return kubesync.New(cfg)
}

// runSyncer runs s until ctx ends; the returned function waits for it.
func runSyncer(ctx context.Context, s *kubesync.Syncer) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	return func() { <-done }
}

var errPlanWithoutKube = errors.New("--plan, --kube-namespace, --kube-context and --kube-force-conflicts need --kubeconfig")
