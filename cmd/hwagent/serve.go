//go:build !noserver

package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/internal/version"
	"github.com/hwagent/hwagent/server"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/tpmverify"
)

// serveFlags configure `hwagent serve`.
type serveFlags struct {
	listen            string
	database          string
	enrollToken       string
	enrollTokenFile   string
	adminToken        string
	adminTokenFile    string
	checkinInterval   time.Duration
	pushLLDPWait      time.Duration
	pushCollectors    []string
	tlsCert           string
	tlsKey            string
	tlsClientCA       string
	maxBody           int64
	maxHeavy          int
	maxCheckins       int
	queueTimeout      time.Duration
	bodyTimeout       time.Duration
	maxBodyMemory     int64
	maxPerCredential  int
	maxConnections    int
	historyMaxEntries int
	dbMaxConns        int
	shutdownGrace     time.Duration
	reenroll          string
	pprofListen       string
	kube              serveKubeFlags
	bmc               serveBMCFlags
}

func newServeCmd(g *globalFlags, stderr io.Writer) *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference provisioning server agents register with",
		Long: `serve runs hwagent's reference provisioning server: agents register with the
enrollment token and check in with their per-machine credential; operators list
machines, read their history and set actions through the operator API (admin
token) or 'hwagent machines'. The protocol is in docs/protocol.md.

Storage is SQLite by default (one file, WAL, synchronous=FULL: every
acknowledged write survives kill -9 and power loss); with
--database postgres://... several serve replicas can share one database behind
a load balancer. Migrations run at start.

With --kubeconfig, every registered machine is also server-side applied to
Kubernetes as a Tinkerbell Hardware (field manager hwagent), with Rufio's BMC
Machine and Secret when the machine has a BMC and the plan gives credentials,
and applied again when its inventory changes. Registration never waits for
Kubernetes: an unreachable API server, expired credentials or a missing CRD
are retried with backoff from a durable outbox in the database; 'hwagent
machines show' and /metrics say where each machine stands (docs/tinkerbell.md).

Endpoints besides the API: /healthz (process up), /readyz (database
reachable), /metrics (Prometheus).`,
		Example: `  hwagent serve --enroll-token-file /etc/hwagent/enroll --admin-token-file /etc/hwagent/admin
  HWAGENT_ENROLL_TOKEN=... HWAGENT_ADMIN_TOKEN=... hwagent serve --database postgres://hwagent@db/hwagent
  hwagent serve --enroll-token-file enroll --kubeconfig ~/.kube/config --kube-namespace tink-system --plan plan.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), g, f, cmd.Flags().Changed("push-lldp-wait"))
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.listen, "listen", ":8080", "address to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&f.database, "database", "sqlite:///var/lib/hwagent/hwagent.db", "sqlite:///path, a file path, or postgres://user@host/db")
	fs.StringVar(&f.enrollToken, "enroll-token", "", "enrollment token agents register with (prefer --enroll-token-file or HWAGENT_ENROLL_TOKEN)")
	fs.StringVar(&f.enrollTokenFile, "enroll-token-file", "", "file holding the enrollment token")
	fs.StringVar(&f.adminToken, "admin-token", "", "admin token of the operator API (prefer --admin-token-file or HWAGENT_ADMIN_TOKEN); none disables the operator API")
	fs.StringVar(&f.adminTokenFile, "admin-token-file", "", "file holding the admin token")
	fs.DurationVar(&f.checkinInterval, "checkin-interval", server.DefaultCheckinInterval, "check-in interval told to agents")
	fs.DurationVar(&f.pushLLDPWait, "push-lldp-wait", 0, "LLDP wait pushed to agents (not pushed unless set)")
	fs.StringSliceVar(&f.pushCollectors, "push-collectors", nil, "collectors pushed to agents (comma separated; none: the agent's own choice)")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate (PEM); serves HTTPS with --tls-key")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key (PEM)")
	fs.StringVar(&f.tlsClientCA, "tls-client-ca", "", "require client certificates signed by this CA (PEM)")
	fs.Int64Var(&f.maxBody, "max-body-bytes", server.DefaultMaxBodyBytes, "largest request body accepted")
	fs.IntVar(&f.maxHeavy, "max-concurrent-registrations", server.DefaultMaxHeavy, "registrations and inventory uploads processed at once")
	fs.IntVar(&f.maxCheckins, "max-concurrent-checkins", server.DefaultMaxCheckins, "check-ins processed at once")
	fs.DurationVar(&f.queueTimeout, "queue-timeout", server.DefaultQueueTimeout, "how long a request waits for a slot before a 429 with Retry-After")
	fs.DurationVar(&f.bodyTimeout, "body-timeout", server.DefaultBodyTimeout, "time to receive one request body, read before the request takes a slot (slower: 408)")
	fs.Int64Var(&f.maxBodyMemory, "max-body-memory", server.DefaultMaxBodyMemory, "bytes of request bodies read and not yet processed, all requests together")
	fs.IntVar(&f.historyMaxEntries, "history-max-entries", sqlstore.DefaultHistoryMaxEntries, "changes kept per machine: a new one removes the oldest past it")
	fs.IntVar(&f.maxPerCredential, "max-requests-per-credential", server.DefaultMaxPerCredential, "requests one machine credential may have in progress at once (more: 429)")
	fs.IntVar(&f.maxConnections, "max-connections", server.DefaultMaxConnections, "client connections served at once: past 7/8 of it answers close their connections; when all are held, a new one waits until one ends or the longest idle one is closed for it")
	fs.IntVar(&f.dbMaxConns, "database-max-conns", 0, "database connections (PostgreSQL, default 16) or SQLite readers (default 2×CPUs)")
	fs.DurationVar(&f.shutdownGrace, "shutdown-timeout", 30*time.Second, "how long SIGTERM waits for requests in flight")
	fs.StringVar(&f.reenroll, "reenroll", reenroll.NameAllow, "what a registration that would take over a known machine does: allow (rotate its credential, record the peer), approve (wait for 'hwagent machines approve'), tpm (prove it with the machine's TPM; machines without one: approve)")
	fs.StringVar(&f.pprofListen, "pprof-listen", "", "serve Go runtime profiles (net/http/pprof, no authentication) on this address, e.g. 127.0.0.1:6060; empty: off")
	f.kube.bind(fs)
	f.bmc.bind(fs)
	return cmd
}

func runServe(ctx context.Context, g *globalFlags, f *serveFlags, pushLLDP bool) error {
	logger := g.logger
	enroll, err := readSecret(f.enrollToken, f.enrollTokenFile, "enroll-token")
	if err != nil {
		return err
	}
	if enroll == "" {
		return errors.New("no enrollment token: give --enroll-token-file, --enroll-token or HWAGENT_ENROLL_TOKEN")
	}
	admin, err := readSecret(f.adminToken, f.adminTokenFile, "admin-token")
	if err != nil {
		return err
	}
	if f.tlsClientCA != "" && f.tlsCert == "" {
		return errors.New("--tls-client-ca needs --tls-cert and --tls-key")
	}
	var push api.AgentConfig
	push.Collectors = f.pushCollectors
	if pushLLDP {
		s := int(f.pushLLDPWait.Round(time.Second).Seconds())
		push.LLDPWaitSeconds = &s
	}

	bmcPolicy, err := f.bmc.policy()
	if err != nil {
		return err
	}
	if _, err := reenroll.New(f.reenroll, nil); err != nil {
		return fmt.Errorf("--reenroll: %w", err)
	}
	if !f.kube.enabled() && (f.kube.plan != "" || f.kube.namespace != "" || f.kube.context != "" || f.kube.force) {
		return errPlanWithoutKube
	}

	openCtx, cancel := context.WithTimeout(ctx, time.Minute)
	st, err := sqlstore.Open(openCtx, f.database, sqlstore.Options{MaxConns: f.dbMaxConns, KubeOutbox: f.kube.enabled(),
		HistoryMaxEntries: f.historyMaxEntries})
	cancel()
	if err != nil {
		return err
	}
	defer st.Close()
	var verifier reenroll.Verifier
	if f.reenroll == reenroll.NameTPM {
		if verifier = newTPMVerifier(st); verifier == nil {
			logger.Warn("--reenroll tpm: this build has no TPM verifier; every takeover waits for approval as with --reenroll approve")
		}
	}
	policy, err := reenroll.New(f.reenroll, verifier)
	if err != nil {
		return fmt.Errorf("--reenroll: %w", err)
	}
	logger.Info("re-enrolment policy", "reenroll", f.reenroll)
	logger.Info("database ready", "dialect", st.Dialect(), "schema_version", st.Version, "database", sqlstore.Redact(f.database))

	cfg := server.Config{
		Store: st, Logger: logger, EnrollToken: enroll.Reveal(), AdminToken: admin.Reveal(),
		CheckinInterval: f.checkinInterval, Push: push, MaxBodyBytes: f.maxBody,
		MaxHeavy: f.maxHeavy, MaxCheckins: f.maxCheckins, QueueTimeout: f.queueTimeout,
		BodyTimeout: f.bodyTimeout, MaxBodyMemory: f.maxBodyMemory, MaxPerCredential: f.maxPerCredential,
		MaxConnections: f.maxConnections,
		Reenroll:       policy, BMC: bmcPolicy,
	}
	if bmcPolicy != nil {
		logger.Info("BMC credentials policy", "user", bmcPolicy.User, "privilege", bmcPolicy.Privilege, "channel", bmcPolicy.Channel, "seal_key", bmcPolicy.Key.Public())
	}
	if f.kube.enabled() {
		var sealKey *bmcseal.Key
		if bmcPolicy != nil {
			sealKey = bmcPolicy.Key
		}
		syncer, err := f.kube.syncer(logger, st, st, sealKey)
		if err != nil {
			return err
		}
		cfg.Marked = func(string) { syncer.Notify() }
		cfg.Collectors = syncer.Collectors()
		syncCtx, stopSync := context.WithCancel(ctx)
		wait := runSyncer(syncCtx, syncer)
		defer wait() // before the store closes
		defer stopSync()
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	if admin == "" {
		logger.Warn("operator API disabled: no --admin-token")
	}
	var tlsConfig *tls.Config
	if f.tlsCert != "" || f.tlsKey != "" {
		if tlsConfig, err = server.TLSConfig(f.tlsCert, f.tlsKey, f.tlsClientCA); err != nil {
			return err
		}
	}
	if f.pprofListen != "" {
		if err := startPprof(ctx, f.pprofListen, logger); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", f.listen, err)
	}
	logger.Info("listening", "addr", ln.Addr().String(), "tls", tlsConfig != nil,
		"client_certs", f.tlsClientCA != "", "version", version.String())
	err = srv.Serve(ctx, ln, tlsConfig, f.shutdownGrace)
	logger.Info("stopped", "err", err)
	return err
}

// newTPMVerifier returns what proves a re-registering machine with its TPM
// under --reenroll tpm: the EK pin and credential challenge of
// server/tpmverify, its challenges kept in the database.
func newTPMVerifier(st *sqlstore.Store) reenroll.Verifier { return &tpmverify.Verifier{Store: st} }
