//go:build !noserver

package main

import (
	"errors"

	"github.com/spf13/pflag"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/server"
)

// serveBMCFlags are serve's BMC credentials policy.
type serveBMCFlags struct {
	user, privilege, sealKey string
	channel                  int
}

func (b *serveBMCFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&b.user, "bmc-user", "", "BMC user every agent creates in-band with a password it generates, sent sealed to --bmc-seal-key (docs/bmc.md); none: BMC credentials are not managed")
	fs.StringVar(&b.privilege, "bmc-privilege", "administrator", "privilege of --bmc-user on the BMC's LAN channels: administrator or operator")
	fs.IntVar(&b.channel, "bmc-channel", 0, "LAN channel on which agents make IPMI over LAN available (0: the BMC's first LAN channel)")
	fs.StringVar(&b.sealKey, "bmc-seal-key", "", "key file the BMC passwords are sealed to (make one with hwagent bmc seal-key FILE)")
}

// policy is the configured policy, nil without --bmc-user.
func (b *serveBMCFlags) policy() (*server.BMCPolicy, error) {
	if b.user == "" {
		if b.sealKey != "" {
			return nil, errors.New("--bmc-seal-key without --bmc-user: which BMC user should agents create?")
		}
		return nil, nil
	}
	if b.sealKey == "" {
		return nil, errors.New("--bmc-user needs --bmc-seal-key (make one with hwagent bmc seal-key FILE)")
	}
	key, err := bmcseal.LoadKeyFile(b.sealKey)
	if err != nil {
		return nil, err
	}
	return &server.BMCPolicy{User: b.user, Privilege: b.privilege, Channel: b.channel, Key: key}, nil
}
