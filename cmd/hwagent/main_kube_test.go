package main

import (
	"os"
	"testing"

	"github.com/hwagent/hwagent/internal/kubetest"
)

// TestMain stops the Kubernetes API server the export --apply tests start.
func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }
