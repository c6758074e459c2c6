package kube

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Options configure a Client.
type Options struct {
	// Kubeconfig is the kubeconfig file. Required.
	Kubeconfig string
	// Context is the kubeconfig context; "" uses its current-context.
	Context string
	// FieldManager is the server-side apply field manager; default
	// DefaultFieldManager.
	FieldManager string
	// Force takes conflicting fields from other managers instead of leaving
	// them (kubectl apply --server-side --force-conflicts). Off by default.
	Force bool
	// Timeout bounds one request; default 30 s.
	Timeout time.Duration
	// UserAgent is sent with every request.
	UserAgent string
	// Logger receives the API server's warnings (debug); nil discards them.
	Logger *slog.Logger
}

// DefaultFieldManager is the field manager hwagent applies as.
const DefaultFieldManager = "hwagent"

// Client applies objects. It rereads the kubeconfig after the server
// refused its credentials, so a rotated file (a renewed client certificate
// or token) is picked up without a restart.
type Client struct {
	opts Options
	host string

	dyn dynamic.Interface
	// reload is set when the next call must load the kubeconfig again.
	reload bool
}

// New loads the kubeconfig and returns a Client. Nothing is sent to the
// server: an unreachable server is reported by the first Apply.
func New(opts Options) (*Client, error) {
	if opts.Kubeconfig == "" {
		return nil, fmt.Errorf("kube: no kubeconfig")
	}
	if opts.FieldManager == "" {
		opts.FieldManager = DefaultFieldManager
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{opts: opts}
	if err := c.load(); err != nil {
		return nil, err
	}
	return c, nil
}

// Host is the API server's URL from the kubeconfig.
func (c *Client) Host() string { return c.host }

// FieldManager is the manager the client applies as.
func (c *Client) FieldManager() string { return c.opts.FieldManager }

func (c *Client) load() error {
	cfg, err := restConfig(c.opts)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("kubeconfig %s: %w", c.opts.Kubeconfig, err)
	}
	c.dyn, c.host, c.reload = dyn, cfg.Host, false
	return nil
}

// restConfig reads the kubeconfig as kubectl would with --kubeconfig and
// --context.
func restConfig(o Options) (*rest.Config, error) {
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: o.Kubeconfig}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: o.Context}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", o.Kubeconfig, err)
	}
	cfg.Timeout = o.Timeout
	cfg.UserAgent = o.UserAgent
	cfg.WarningHandlerWithContext = warningLogger{o.Logger}
	// Apply one object at a time per caller; the client's own rate limit
	// is only a guard against a runaway loop.
	cfg.QPS, cfg.Burst = 50, 100
	return cfg, nil
}

// warningLogger passes the API server's warnings (a deprecated version, an
// unknown field the server dropped) to slog.
type warningLogger struct{ l *slog.Logger }

func (w warningLogger) HandleWarningHeaderWithContext(ctx context.Context, code int, agent, text string) {
	w.l.DebugContext(ctx, "kubernetes api warning", "code", code, "agent", agent, "warning", text)
}
