// Package agent is hwagent's boot-time loop: collect the inventory, register
// the machine with the provisioning server, check in at the interval the
// server gives and obey its answers (send the inventory again, reboot, power
// off, or release the machine so that workflows can run).
//
// Collection follows the collectors' phases (collector.Phase) so that
// registration never waits for LLDP: the First collectors run, the machine
// registers with that inventory, and the Late ones (LLDP, which listens for
// up to 35 s) run in the background. When they finish, their results are
// applied to the current inventory, whose digest then changes, and the agent
// sends it with PUT /v1/machines/{id}/inventory; each later collection of
// the First collectors gets the Late results applied again.
//
// Every call to the server is retried on network errors, 5xx and 429 with
// capped exponential backoff and full jitter (server/client.Retrier),
// forever unless the context has a deadline. A check-in answered 401 or 404
// (the server lost its database, an operator deleted the machine) makes the
// agent register again. Any other 4xx ends the loop with an error.
//
// The package logs through the injected slog.Logger: its job is to run
// unattended at boot, and the log is how an operator follows it. Tokens and
// credentials never reach the logger (secret.Value).
package agent
