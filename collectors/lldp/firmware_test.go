package lldp

import (
	"os"
	"testing"
)

func TestStopFirmwareAgent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		nic       NIC
		flags     map[string]map[string]bool
		wantFlags map[string]bool
		wantCmd   string // what the i40e debugfs command file holds after
		wantErr   bool
	}{
		{
			name:      "i40e private flag",
			nic:       NIC{Name: "eth0", Driver: "i40e", PCI: "0000:3b:00.0"},
			flags:     map[string]map[string]bool{"eth0": {"disable-fw-lldp": false}},
			wantFlags: map[string]bool{"disable-fw-lldp": true},
		},
		{
			name:      "ice private flag",
			nic:       NIC{Name: "eth4", Driver: "ice"},
			flags:     map[string]map[string]bool{"eth4": {"fw-lldp-agent": true}},
			wantFlags: map[string]bool{"fw-lldp-agent": false},
		},
		{
			name:      "already stopped",
			nic:       NIC{Name: "eth4", Driver: "ice"},
			flags:     map[string]map[string]bool{"eth4": {"fw-lldp-agent": false}},
			wantFlags: map[string]bool{"fw-lldp-agent": false},
		},
		{
			name:    "old i40e without the flag: debugfs",
			nic:     NIC{Name: "eth0", Driver: "i40e", PCI: "0000:3b:00.0"},
			flags:   map[string]map[string]bool{"eth0": {"link-down-on-close": false}},
			wantCmd: "lldp stop",
		},
		{
			name:    "ice without the flag",
			nic:     NIC{Name: "eth4", Driver: "ice"},
			flags:   map[string]map[string]bool{"eth4": {}},
			wantErr: true,
		},
		{
			name:    "i40e without the flag nor debugfs",
			nic:     NIC{Name: "eth5", Driver: "i40e", PCI: "0000:5e:00.0"},
			flags:   map[string]map[string]bool{},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := hostTree(t)
			ff := &fakeFlags{flags: tt.flags}
			err := stopFirmwareAgent(p, ff, tt.nic)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %t", err, tt.wantErr)
			}
			if tt.wantFlags != nil && !equalFlags(ff.flags[tt.nic.Name], tt.wantFlags) {
				t.Errorf("flags %v, want %v", ff.flags[tt.nic.Name], tt.wantFlags)
			}
			cmd, _ := os.ReadFile(p.Sys("kernel", "debug", "i40e", "0000:3b:00.0", "command"))
			if string(cmd) != tt.wantCmd {
				t.Errorf("debugfs command %q, want %q", cmd, tt.wantCmd)
			}
		})
	}
}

func equalFlags(got, want map[string]bool) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}
