package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/bmcuser"
	bmccollector "github.com/hwagent/hwagent/collectors/bmc"
	"github.com/hwagent/hwagent/ipmi"
)

// passwordEnv holds the BMC password when no --password-file is given: a
// password never travels as an argument (ps shows those).
const passwordEnv = "HWAGENT_BMC_PASSWORD"

func newBMCCmd(g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bmc",
		Short: "Manage the BMC: create its provisioning user in-band, make the server's seal key",
		Long: `bmc works on the machine's BMC over the in-band IPMI interface (/dev/ipmi0),
and makes the key a provisioning server seals BMC passwords to. docs/bmc.md
says what changes on the BMC and how to undo it.`,
	}
	cmd.AddCommand(newBMCCredentialsCmd(g, stdout, stderr), newBMCSealKeyCmd(stdout))
	return cmd
}

// bmcCredentialsOutput is `bmc credentials -o json`.
type bmcCredentialsOutput struct {
	Device string `json:"device"`
	User   string `json:"user"`
	// Status is "ok" or the failure's reason (bmcuser.Reason*).
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	*bmcuser.Result
	DurationSeconds float64 `json:"duration_seconds"`
}

func newBMCCredentialsCmd(g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	host := newHostFlags()
	var user, passwordFile, privilege, output string
	var channel, slot int
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "credentials --user NAME --password-file FILE",
		Short: "Create or update a BMC user over /dev/ipmi0, idempotently",
		Long: `credentials makes the machine's BMC hold a user with the given name and
password, over the in-band IPMI interface only (/dev/ipmi0 under the host's
/dev; no network, no ipmitool):

  - the slot already named NAME, else the first free one; slots 1 (anonymous)
    and 2 (the factory administrator) are never touched, nor any enabled user
    with another name unless --slot names its slot;
  - the password in the IPMI 2.0 20-byte form when the BMC takes it (else the
    16-byte form), left alone when the BMC says it already matches;
  - IPMI messaging at --privilege on every LAN channel, the user enabled, and
    IPMI over LAN available on --channel (default: the first LAN channel).

Run twice, it changes nothing the second time (BMCs that cannot report a
state get that write again, listed apart). It prints what it did, never the
password, which comes from --password-file or HWAGENT_BMC_PASSWORD, never
from an argument. The container needs the host's /dev/ipmi0 (docs/bmc.md).`,
		Example: `  hwagent bmc credentials --user hwagent --password-file /run/secrets/bmc
  HWAGENT_BMC_PASSWORD=... hwagent bmc credentials --user ops --privilege operator --channel 2
  hwagent bmc credentials --user hwagent --password-file pw --slot 5 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("-o %q: want text or json", output)
			}
			if user == "" {
				return errors.New("--user is required")
			}
			priv, err := ipmi.ParsePrivilege(privilege)
			if err != nil {
				return fmt.Errorf("--privilege: %w", err)
			}
			if channel < 0 || channel > ipmi.MaxLANChannel {
				return fmt.Errorf("--channel %d: want 1 to %d (0: the first LAN channel)", channel, ipmi.MaxLANChannel)
			}
			if slot != 0 && (slot < 3 || slot > ipmi.MaxUserID) {
				return fmt.Errorf("--slot %d: want 3 to %d (1 is the anonymous user, 2 the factory administrator)", slot, ipmi.MaxUserID)
			}
			password, err := bmcPassword(passwordFile, os.LookupEnv)
			if err != nil {
				return err
			}
			dev, path, err := bmccollector.OpenDevice(host.paths())
			if err != nil {
				return fmt.Errorf("BMC: %w", err)
			}
			defer dev.Close()
			start := time.Now()
			res, err := bmcuser.Ensure(cmd.Context(), ipmi.NewClient(dev, timeout), bmcuser.Request{
				User: user, Password: password, Privilege: priv, Channel: uint8(channel), Slot: uint8(slot),
			})
			out := bmcCredentialsOutput{Device: path, User: user, Status: "ok", Result: res, DurationSeconds: time.Since(start).Seconds()}
			if err != nil {
				out.Status, out.Error = bmcuser.ReasonOf(err), err.Error()
			}
			g.logger.Debug("bmc credentials", "user", user, "status", out.Status, "duration", time.Since(start).Round(time.Millisecond))
			if output == "json" {
				if werr := writeJSONOut(stdout, out); werr != nil {
					return werr
				}
			} else {
				writeBMCCredentialsText(stdout, out)
			}
			if err != nil {
				return fmt.Errorf("BMC user %q not provisioned (%s): %w", user, out.Status, err)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	host.bind(fs)
	fs.StringVar(&user, "user", "", "BMC user name: 1-16 letters, digits, '.', '_', '-' (required)")
	fs.StringVar(&passwordFile, "password-file", "", "file whose first line is the password (else "+passwordEnv+")")
	fs.StringVar(&privilege, "privilege", "administrator", "the user's privilege on the LAN channels: administrator or operator")
	fs.IntVar(&channel, "channel", 0, "LAN channel to make IPMI over LAN available on (default: the first LAN channel)")
	fs.IntVar(&slot, "slot", 0, "user slot to use even if another enabled user holds it (3 and up)")
	fs.DurationVar(&timeout, "ipmi-timeout", ipmi.DefaultTimeout, "timeout of one IPMI command")
	fs.StringVarP(&output, "output", "o", "text", "output: text or json")
	return cmd
}

// bmcPassword reads the password from file, else HWAGENT_BMC_PASSWORD.
func bmcPassword(file string, lookup func(string) (string, bool)) (string, error) {
	env, fromEnv := lookup(passwordEnv)
	switch {
	case file != "" && fromEnv && env != "":
		return "", fmt.Errorf("both --password-file and %s are set: give one", passwordEnv)
	case file != "":
		pw, err := readSecret("", file, "password")
		if err != nil {
			return "", err
		}
		if pw == "" {
			return "", fmt.Errorf("--password-file %s: the first line is empty", file)
		}
		return pw.Reveal(), nil
	case fromEnv && env != "":
		return env, nil
	}
	return "", fmt.Errorf("no password: give --password-file or set %s", passwordEnv)
}

func writeBMCCredentialsText(w io.Writer, out bmcCredentialsOutput) {
	res := out.Result
	if res == nil {
		fmt.Fprintf(w, "BMC user %q on %s: %s\n", out.User, out.Device, out.Status)
		return
	}
	how := "existing"
	if res.Created {
		how = "created"
	}
	fmt.Fprintf(w, "BMC user %q: slot %d (%s), LAN channel %d, on %s: %s in %d ms\n",
		out.User, res.Slot, how, res.Channel, out.Device, out.Status, int(out.DurationSeconds*1000))
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintln(w, title)
		for _, l := range lines {
			fmt.Fprintln(w, "  "+l)
		}
	}
	section("changed:", res.Changes)
	section("written again (the BMC cannot report this state):", res.Rewrites)
	section("already right:", res.Unchanged)
	section("warnings:", res.Warnings)
	if len(res.Changes) == 0 && out.Status == "ok" {
		fmt.Fprintln(w, "nothing changed")
	}
}

func newBMCSealKeyCmd(stdout io.Writer) *cobra.Command {
	var public bool
	cmd := &cobra.Command{
		Use:   "seal-key FILE",
		Short: "Make the key file `hwagent serve --bmc-seal-key` opens sealed BMC passwords with",
		Long: `seal-key writes a new X25519 key pair's private key to FILE (PEM, mode 0600;
it refuses to overwrite) and prints the public key. Agents seal the BMC
passwords they generate to that public key, and the server keeps them sealed in
its database: whoever holds FILE can read every stored BMC password, and
without it none can be read. Back it up like a CA key.

Give the public key to the agents (--bmc-seal-pubkey, or the kernel parameter
hwagent.bmc_seal_pubkey=): an agent provisions a BMC user only with a pinned
key or over https with a verified server certificate, since the key otherwise
arrives in the registration answer, which anyone on the path of a plain HTTP
connection can replace. --public prints the public key of an existing FILE.`,
		Example: `  hwagent bmc seal-key /etc/hwagent/bmc-seal.key
  hwagent bmc seal-key --public /etc/hwagent/bmc-seal.key`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if public {
				k, err := bmcseal.LoadKeyFile(args[0])
				if err != nil {
					return err
				}
				fmt.Fprintln(stdout, k.Public())
				return nil
			}
			k, err := bmcseal.WriteKeyFile(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "wrote %s; public key %s\n", args[0], k.Public())
			return nil
		},
	}
	cmd.Flags().BoolVar(&public, "public", false, "print the public key of the existing FILE (for --bmc-seal-pubkey)")
	return cmd
}
