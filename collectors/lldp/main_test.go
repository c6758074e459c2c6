package lldp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// helperEnv makes the test binary run the collector once against the live
// host instead of the tests: the integration tests start it under
// `ip netns exec`, which gives it the namespace's interfaces and /sys.
const helperEnv = "HWAGENT_LLDP_TEST_HELPER"

// helperConfig is what the integration tests ask the helper to do.
type helperConfig struct {
	Interfaces []string      `json:"interfaces"`
	Wait       time.Duration `json:"wait"`
	LinkUp     bool          `json:"link_up"`
}

// helperResult is what the helper prints.
type helperResult struct {
	Error     string                          `json:"error,omitempty"`
	Partial   []string                        `json:"partial,omitempty"`
	Neighbors map[string][]inventory.Neighbor `json:"neighbors"`
}

func TestMain(m *testing.M) {
	if cfg := os.Getenv(helperEnv); cfg != "" {
		os.Exit(helperMain(cfg))
	}
	os.Exit(m.Run())
}

func helperMain(raw string) int {
	var hc helperConfig
	if err := json.Unmarshal([]byte(raw), &hc); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	env := collector.NewEnv(hostpaths.New("/", nil), nil, collector.Config{
		LLDPWait: hc.Wait, LLDPLinkUp: hc.LinkUp, LLDPInterfaces: hc.Interfaces,
	})
	apply, err := New().Collect(context.Background(), env)
	res := helperResult{Neighbors: map[string][]inventory.Neighbor{}}
	var partial *collector.PartialError
	switch {
	case errors.As(err, &partial):
		res.Partial = partial.Warnings
	case err != nil:
		res.Error = err.Error()
	}
	if apply != nil {
		inv := &inventory.Inventory{}
		apply(inv)
		for _, nic := range inv.Network.Interfaces {
			res.Neighbors[nic.Name] = nic.Neighbors
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		return 2
	}
	return 0
}
