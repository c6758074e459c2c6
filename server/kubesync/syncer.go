package kubesync

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/tinkerbell"
	"github.com/hwagent/hwagent/kube"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
)

// Applier applies one object; *kube.Client is one.
type Applier interface {
	Apply(ctx context.Context, obj kube.Object) (kube.Result, error)
}

// Reader reads the object an apply would change (nil when there is
// none); *kube.Client is one. An Applier that is also a Reader lets the
// syncer refuse to apply a machine's Hardware over another machine's.
type Reader interface {
	Current(ctx context.Context, obj kube.Object) (kube.Object, error)
}

// Config configures a Syncer.
type Config struct {
	// Store reads the machines' inventories; Outbox is the queue. Required.
	Store  store.Store
	Outbox store.KubeOutbox
	// Applier writes to Kubernetes. Required.
	Applier Applier
	// Exporter builds the objects under the server's plan. Required.
	Exporter *export.Exporter
	// ConfigID fingerprints everything the objects depend on besides the
	// inventory (plan, credentials, cluster, namespace): machines last
	// applied under another ConfigID are applied again at start.
	ConfigID string
	// Logger; nil discards.
	Logger *slog.Logger
	// Poll is how often the outbox is read when nothing woke the syncer
	// (another replica's registrations, retries); default 2 s.
	Poll time.Duration
	// Lease is how long a claimed machine is this syncer's; default 1 min.
	Lease time.Duration
	// Workers apply machines in parallel; default 4.
	Workers int
	// MinBackoff and MaxBackoff bound the retry delay of a failed machine,
	// doubled at each failure; defaults 1 s and 5 min.
	MinBackoff, MaxBackoff time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// BMCLogin, when set, gives a machine's BMC login in preference to the
	// plan's credentials (StoredBMCLogin: the credentials the agent
	// provisioned in band and the server verified); ok false falls back to
	// the plan.
	BMCLogin func(ctx context.Context, machineID string) (login plan.MachineCredentials, ok bool, err error)
}

// Syncer applies machines from the outbox until its context ends.
type Syncer struct {
	cfg     Config
	owner   string
	writer  *tinkerbell.Writer
	wake    chan struct{}
	metrics *metrics
}

// New checks cfg.
func New(cfg Config) (*Syncer, error) {
	if cfg.Store == nil || cfg.Outbox == nil || cfg.Applier == nil || cfg.Exporter == nil {
		return nil, errors.New("kubesync: store, outbox, applier and exporter are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Minute
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(5*time.Minute, cfg.MinBackoff)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	host, _ := os.Hostname()
	var b [4]byte
	crand.Read(b[:]) //nolint:errcheck // crypto/rand never fails on Linux
	p := cfg.Exporter.Plan()
	return &Syncer{
		cfg:     cfg,
		owner:   fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:])),
		writer:  tinkerbell.NewWriter(nil, p.Namespace, p.FacilityCode),
		wake:    make(chan struct{}, 1),
		metrics: newMetrics(cfg.Outbox),
	}, nil
}

// Notify wakes the syncer: a machine of this replica was just marked.
func (s *Syncer) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run marks the machines the configuration changed for (KubeResync), then
// claims and applies due machines until ctx ends.
func (s *Syncer) Run(ctx context.Context) {
	log := s.cfg.Logger
	for {
		n, err := s.cfg.Outbox.KubeResync(ctx, s.cfg.ConfigID, s.cfg.Now())
		if err == nil {
			if n > 0 {
				log.Info("kubernetes: machines to apply under this configuration", "machines", n)
			}
			break
		}
		log.Warn("kubernetes: cannot read the outbox", "err", err)
		if !s.sleep(ctx, s.cfg.Poll) {
			return
		}
	}
	limit := s.cfg.Workers * 4
	for ctx.Err() == nil {
		tasks, err := s.cfg.Outbox.KubeClaim(ctx, s.owner, s.cfg.Now(), s.cfg.Lease, limit)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("kubernetes: cannot claim work from the outbox", "err", err)
			}
		} else {
			s.runAll(ctx, tasks)
			if len(tasks) == limit {
				continue
			}
		}
		if !s.sleep(ctx, s.cfg.Poll) {
			return
		}
	}
}

// sleep waits d or until woken; false when ctx ended.
func (s *Syncer) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-s.wake:
	case <-t.C:
	}
	return true
}

func (s *Syncer) runAll(ctx context.Context, tasks []store.KubeTask) {
	sem := make(chan struct{}, s.cfg.Workers)
	var wg sync.WaitGroup
	for _, t := range tasks {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			s.runOne(ctx, t)
		}()
	}
	wg.Wait()
}

func (s *Syncer) runOne(ctx context.Context, t store.KubeTask) {
	o := s.Sync(ctx, t)
	o.Owner = s.owner
	// The outcome is recorded even when ctx ended meanwhile: a machine
	// interrupted by a shutdown goes back to pending at once instead of
	// waiting out its lease.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.cfg.Outbox.KubeFinish(fctx, o); err != nil {
		s.cfg.Logger.Warn("kubernetes: cannot record the outcome (the lease runs out and the machine is applied again)", "machine_id", t.MachineID, "err", err)
	}
}

// Sync applies one machine and says what became of it.
func (s *Syncer) Sync(ctx context.Context, t store.KubeTask) store.KubeOutcome {
	log := s.cfg.Logger.With("machine_id", t.MachineID)
	now := s.cfg.Now()
	o := store.KubeOutcome{KubeTask: t, Config: s.cfg.ConfigID, Now: now}
	fail := func(msg string) store.KubeOutcome {
		if ctx.Err() != nil {
			o.State, o.NextAttempt, o.Message = api.KubePending, now, "interrupted by a shutdown"
			return o
		}
		o.State = api.KubeFailed
		o.Attempts = t.Attempts + 1
		o.NextAttempt = now.Add(s.backoff(o.Attempts))
		o.Message = bound(msg)
		log.Warn("kubernetes: apply failed; retrying", "attempt", o.Attempts, "next_attempt", o.NextAttempt.Format(time.RFC3339), "err", msg)
		return o
	}
	m, err := s.cfg.Store.Get(ctx, t.MachineID)
	if errors.Is(err, store.ErrNotFound) {
		o.State = api.KubeApplied // deleted: its row is gone too; nothing to record
		return o
	}
	if err != nil {
		return fail("read the inventory: " + err.Error())
	}
	var opts export.OneOptions
	if s.cfg.BMCLogin != nil {
		l, ok, err := s.cfg.BMCLogin(ctx, t.MachineID)
		if err != nil {
			return fail("read the stored BMC credentials: " + err.Error())
		}
		if ok {
			opts.Login = &l
		}
	}
	if pool, ok := s.cfg.Exporter.Pool(); ok && s.cfg.Exporter.NeedsAddress(m.Inventory) {
		a, err := s.cfg.Outbox.KubeAddress(ctx, t.MachineID, store.AddressPool{Start: pool.Start, End: pool.End, Reserved: pool.Reserved})
		if err != nil {
			return fail("pool address: " + err.Error())
		}
		opts.Address = a
	}
	// The objects name the machine the server knows (annotation
	// hwagent.io/machine-id, plan maps keyed by machine ID), not the ID
	// its agent derived: machines that share a UUID derive one ID.
	if m.Inventory == nil {
		return fail("the machine has no inventory")
	}
	inv := *m.Inventory
	inv.Identity.MachineID = m.ID
	mach, notes, err := s.cfg.Exporter.One(&inv, opts)
	if err != nil {
		s.metrics.applies.WithLabelValues("Hardware", "unnameable").Inc()
		return fail(err.Error())
	}
	objs := s.writer.Objects(mach)
	hw, err := toObject(objs[0])
	if err != nil {
		return fail(err.Error())
	}
	if msg, err := s.otherMachines(ctx, t.MachineID, hw); err != nil {
		s.metrics.applies.WithLabelValues("Hardware", string(kube.ReasonOf(err))).Inc()
		return fail(err.Error())
	} else if msg != "" {
		s.metrics.applies.WithLabelValues("Hardware", "taken").Inc()
		return fail(msg)
	}
	// The name is claimed in the store before anything is written: two
	// replicas applying two machines that get one name at the same instant
	// both read no object above, and only one of them gets the claim.
	ref := refOf(hw)
	holder, err := s.cfg.Outbox.KubeName(ctx, t.MachineID, ref.String())
	if err != nil {
		s.metrics.applies.WithLabelValues("Hardware", "error").Inc()
		return fail("claim the name " + ref.String() + ": " + err.Error())
	}
	if holder != t.MachineID {
		s.metrics.applies.WithLabelValues("Hardware", "taken").Inc()
		return fail(takenBy(ref, holder))
	}
	var errs, conflicts []string
	for i := len(objs) - 1; i >= 0; i-- { // Secret, Machine, then the Hardware that names them
		obj, err := toObject(objs[i])
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		res, err := s.cfg.Applier.Apply(ctx, obj)
		o.Objects = append(o.Objects, res.Ref.String())
		switch {
		case err != nil:
			s.metrics.applies.WithLabelValues(res.Ref.Kind, string(kube.ReasonOf(err))).Inc()
			errs = append(errs, err.Error())
		case len(res.Conflicts) > 0:
			s.metrics.applies.WithLabelValues(res.Ref.Kind, "conflict").Inc()
			for _, c := range res.Conflicts {
				conflicts = append(conflicts, res.Ref.String()+" "+c.String())
			}
		default:
			s.metrics.applies.WithLabelValues(res.Ref.Kind, "applied").Inc()
		}
	}
	if len(errs) > 0 {
		return fail(strings.Join(errs, "; "))
	}
	var msg []string
	if len(conflicts) > 0 {
		o.State = api.KubeConflict
		msg = append(msg, "fields held by other field managers, left to them: "+strings.Join(conflicts, "; "))
		log.Warn("kubernetes: applied, but fields other managers hold were left to them", "conflicts", conflicts)
	} else {
		o.State = api.KubeApplied
		log.Info("kubernetes: applied", "objects", o.Objects)
	}
	if len(notes) > 0 {
		msg = append(msg, "not written: "+strings.Join(notes, "; "))
	}
	o.Message = bound(strings.Join(msg, "\n"))
	return o
}

// maxMessage bounds what is kept of a message: API server answers quote
// the objects they refuse.
const maxMessage = 4 << 10

func bound(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + " …(truncated)"
}

// backoff is the delay before attempt n+1: MinBackoff doubled per failed
// attempt up to MaxBackoff, ±20 % so that a fleet does not retry in step.
func (s *Syncer) backoff(attempts int) time.Duration {
	d := s.cfg.MinBackoff
	for i := 1; i < attempts && d < s.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, s.cfg.MaxBackoff)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// toObject is a manifest type's JSON form.
func toObject(v any) (kube.Object, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var obj kube.Object
	return obj, json.Unmarshal(b, &obj)
}

// otherMachines says, when the Hardware hw would replace another known
// machine's (its hwagent.io/machine-id names a machine the store still
// has), why it is not applied. Two machines get one Hardware name when
// they report one agent ID (the same worker_id=, the same boot MAC: a NIC
// moved from one to the other) or one hostname; applying both would make
// one object describe each machine in turn, and a workflow meant for one
// would run on the other. The object of a deleted machine is taken over.
func (s *Syncer) otherMachines(ctx context.Context, machineID string, obj kube.Object) (string, error) {
	r, ok := s.cfg.Applier.(Reader)
	if !ok {
		return "", nil
	}
	cur, err := r.Current(ctx, obj)
	if err != nil || cur == nil {
		return "", err
	}
	meta, _ := cur["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	owner, _ := ann[tinkerbell.AnnotationMachineID].(string)
	if owner == "" || owner == machineID {
		return "", nil
	}
	m, err := s.cfg.Store.Get(ctx, owner)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("read machine %s, whose Hardware %s/%s is: %w", owner, meta["namespace"], meta["name"], err)
	}
	ref := refOf(cur)
	if m.Kube == nil || !slices.Contains(m.Kube.Objects, ref.String()) {
		// Not that machine's last write: it moved to another name, or an
		// older hwagent annotated the agent's derived ID (two machines
		// sharing a UUID derive one).
		return "", nil
	}
	return takenBy(ref, owner), nil
}

// refOf is a Hardware object's reference.
func refOf(obj kube.Object) kube.Ref {
	meta, _ := obj["metadata"].(map[string]any)
	return kube.Ref{Kind: "Hardware", Namespace: fmt.Sprint(meta["namespace"]), Name: fmt.Sprint(meta["name"])}
}

// takenBy says why a Hardware another machine holds is not applied.
func takenBy(ref kube.Ref, owner string) string {
	return fmt.Sprintf("Hardware %s/%s is machine %s's, which reports the same agent ID or hostname: not applied "+
		"(see hwagent machines conflicts; give the machines distinct worker_id= or hostnames, or delete %s if it is gone)",
		ref.Namespace, ref.Name, owner, owner)
}
