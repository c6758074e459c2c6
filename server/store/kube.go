package store

import (
	"context"
	"errors"
	"net/netip"
	"time"
)

// KubeOutbox is the durable queue of machines whose Tinkerbell objects are
// to be applied to Kubernetes (hwagent serve --kubeconfig). A registration
// or inventory upload marks its machine in the same transaction that
// stores the inventory, so nothing is lost when the API server is
// unreachable or the process dies; appliers in any number of server
// replicas sharing the database claim due machines with a lease, and a
// machine that registers again while its objects are being applied is
// applied once more.
type KubeOutbox interface {
	// KubeClaim leases up to limit due machines (pending, or failed with
	// its next attempt reached, and not leased by another applier) to
	// owner until now+lease.
	KubeClaim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]KubeTask, error)
	// KubeFinish records the outcome of a claimed task. When the machine
	// was marked again since the claim, it stays pending.
	KubeFinish(ctx context.Context, o KubeOutcome) error
	// KubeResync marks pending every machine without an outbox row (it
	// registered while no applier was configured) and every machine last
	// applied with another configuration than config, and returns how
	// many it marked. Failed machines become due at once.
	KubeResync(ctx context.Context, config string, now time.Time) (int, error)
	// KubeCounts counts outbox rows by state.
	KubeCounts(ctx context.Context) (map[string]int, error)
	// KubeAddress returns the pool address the machine holds, or hands it
	// the first free one: in pool order, not reserved, not held by another
	// machine, not a machine's BMC address. An address outside the pool or
	// reserved (the plan changed) is given up first. Each address goes to
	// one machine, across replicas. ErrPoolExhausted when none is free.
	KubeAddress(ctx context.Context, machineID string, pool AddressPool) (netip.Addr, error)
	// KubeName claims an object name (a Hardware's kube.Ref, "Hardware
	// namespace/name") for the machine before its objects are applied, and
	// returns the machine that holds it: machineID when the claim is the
	// machine's (any other name it held is given up), another machine's ID
	// when that one holds it. Each name goes to one machine, across
	// replicas, until that machine takes another name or is deleted.
	KubeName(ctx context.Context, machineID, name string) (holder string, err error)
}

// ErrPoolExhausted: every address of the pool is taken.
var ErrPoolExhausted = errors.New("address pool exhausted")

// AddressPool is the plan's pool: Start to End inclusive, less Reserved
// (the gateway, the nameservers, fixed addresses).
type AddressPool struct {
	Start, End netip.Addr
	Reserved   []netip.Addr
}

// KubeTask is a claimed machine.
type KubeTask struct {
	MachineID string
	// Generation counts the times the machine was marked; KubeFinish
	// compares it.
	Generation int64
	// Attempts is the number of failed attempts since the last success.
	Attempts int
}

// KubeOutcome is what became of a claimed task.
type KubeOutcome struct {
	KubeTask
	Owner string
	// State is api.KubeApplied, api.KubeConflict or api.KubeFailed.
	State string
	// Message says what failed or conflicted; empty when all applied.
	Message string
	// Objects are the objects written ("Hardware ns/name").
	Objects []string
	// Config fingerprints the configuration the objects were built with.
	Config string
	// NextAttempt is when a failed task is due again.
	NextAttempt time.Time
	Now         time.Time
}
