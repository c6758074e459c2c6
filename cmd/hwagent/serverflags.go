package main

import (
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/hwagent/hwagent/internal/version"
	"github.com/hwagent/hwagent/server/client"
)

// tlsFlags are the one set of TLS options of every command that talks to a
// provisioning server: run, register, machines and export --server.
type tlsFlags struct {
	client.TLSOptions
}

func (t *tlsFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&t.CAFile, "ca", "", "PEM file of the CA that signs the server's certificate (then only it is trusted)")
	fs.StringVar(&t.CertFile, "client-cert", "", "PEM client certificate, for servers that require mutual TLS")
	fs.StringVar(&t.KeyFile, "client-key", "", "PEM key of --client-cert")
	fs.BoolVar(&t.InsecureSkipVerify, "insecure-skip-verify", false, "accept any server certificate (lab only: tokens go to whoever answers)")
}

// warn logs what is unsafe about reaching server this way.
func (t *tlsFlags) warn(logger *slog.Logger, server, what string) {
	if t.InsecureSkipVerify {
		logger.Warn("INSECURE: --insecure-skip-verify accepts any server certificate; " + what + " go to whoever answers. Use --ca outside a lab.")
	}
	for _, u := range strings.Split(server, ",") {
		if u = strings.TrimSpace(u); strings.HasPrefix(u, "http://") {
			logger.Warn("the server URL is plain HTTP: "+what+" cross the network in clear", "server", u)
		}
	}
}

// adminFlags reach a server's operator API: hwagent machines and hwagent
// export --server.
type adminFlags struct {
	server         string
	adminToken     string
	adminTokenFile string
	tls            tlsFlags
	timeout        time.Duration
}

// bind adds the flags; serverUsage says what --server is for, timeoutFlag
// names the request timeout's flag.
func (a *adminFlags) bind(fs *pflag.FlagSet, serverUsage, timeoutFlag string) {
	fs.StringVar(&a.server, "server", "", serverUsage)
	fs.StringVar(&a.adminToken, "admin-token", "", "admin token (prefer HWAGENT_ADMIN_TOKEN or --admin-token-file: arguments are visible in ps)")
	fs.StringVar(&a.adminTokenFile, "admin-token-file", "", "file holding the admin token")
	a.tls.bind(fs)
	fs.DurationVar(&a.timeout, timeoutFlag, client.DefaultTimeout, "bound on one request to the server")
}

// client returns the server's client with the admin token.
func (a *adminFlags) client(logger *slog.Logger) (*client.Client, error) {
	if a.server == "" {
		return nil, errors.New("no server: give --server or HWAGENT_SERVER")
	}
	tok, err := readSecret(a.adminToken, a.adminTokenFile, "admin-token")
	if err != nil {
		return nil, err
	}
	if tok == "" {
		return nil, errors.New("no admin token: give --admin-token-file or HWAGENT_ADMIN_TOKEN")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a.tls.warn(logger, a.server, "the admin token and the machines' data")
	return client.New(client.Options{
		Server:     a.server,
		AdminToken: tok,
		TLS:        a.tls.TLSOptions,
		Timeout:    a.timeout,
		UserAgent:  "hwagent/" + version.String(),
		Logger:     logger,
	})
}
