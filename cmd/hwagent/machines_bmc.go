package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwagent/hwagent/server/api"
)

// bmcCredentialsText is the list column: the verification and how long
// ago it last succeeded ("verified 3m", "wrong_password (verified 2d)",
// "refused").
func bmcCredentialsText(st *api.BMCCredentialsStatus, now time.Time) string {
	switch {
	case st == nil:
		return ""
	case st.PasswordSetAt == nil:
		return st.Status // never provisioned: why
	case st.Verification == "verified" && st.VerifiedAt != nil:
		return "verified " + ago(now, *st.VerifiedAt)
	case st.VerifiedAt != nil:
		return st.Verification + " (verified " + ago(now, *st.VerifiedAt) + " ago)"
	}
	return st.Verification
}

// bmcCredentialsRows are the show command's BMC credentials lines.
func bmcCredentialsRows(st *api.BMCCredentialsStatus, revealed *api.BMCCredentials, now time.Time) [][2]string {
	if st == nil {
		return nil
	}
	user := fmt.Sprintf("%s (%s", st.User, st.Privilege)
	if st.Slot > 0 {
		user += fmt.Sprintf(", slot %d, channel %d", st.Slot, st.Channel)
	}
	user += ")"
	report := st.Status + ", " + st.ReportedAt.Format(time.RFC3339)
	if st.Error != "" {
		report += ": " + st.Error
	}
	rows := [][2]string{{"BMC user", user}, {"BMC provisioning", report}}
	switch {
	case st.PasswordSetAt == nil:
		rows = append(rows, [2]string{"BMC password", "none stored"})
	default:
		v := bmcCredentialsText(st, now)
		if st.CheckedAt != nil {
			v += ", checked " + st.CheckedAt.Format(time.RFC3339) + " at " + dash(st.VerifyAddress)
		}
		if st.VerifyError != "" {
			v += ": " + st.VerifyError
		}
		rows = append(rows, [2]string{"BMC password", "stored " + st.PasswordSetAt.Format(time.RFC3339)}, [2]string{"BMC verified", v})
	}
	if revealed != nil {
		rows = append(rows, [2]string{"BMC login", revealed.User + " / " + revealed.Password})
	}
	return rows
}

func newMachinesVerifyBMCCmd(f *machinesFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "verify-bmc ID",
		Short: "Have the server log in to the machine's BMC over RMCP+ with the stored password now",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			st, err := c.VerifyBMC(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if f.output == "json" {
				return writeJSONOut(stdout, st)
			}
			line := fmt.Sprintf("%s: %s at %s", args[0], st.Verification, dash(st.VerifyAddress))
			if st.VerifyError != "" {
				line += ": " + st.VerifyError
			}
			fmt.Fprintln(stdout, line)
			if st.Verification != "verified" {
				return fmt.Errorf("BMC credentials of %s not verified: %s", args[0], st.Verification)
			}
			return nil
		},
	}
}
