package export

import (
	"errors"
	"fmt"
	"strings"
)

// namespacePattern is a Kubernetes namespace name (an RFC 1123 label).
var namespacePattern = lazyRegexp(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

// discoveryPrefix is what Tinkerbell's auto-discovery puts before the
// agent ID in the name of a Hardware it creates.
const discoveryPrefix = "discovery-"

var (
	reAlnumStart = lazyRegexp(`^[a-zA-Z0-9]`)
	reAlnumEnd   = lazyRegexp(`[a-zA-Z0-9]$`)
	reNotName    = lazyRegexp(`[^a-zA-Z0-9-]`)
	reDashes     = lazyRegexp(`-+`)
)

// DiscoveryName is the name Tinkerbell gives the Hardware it discovers for
// an agent ID: tinkerbell/tinkerbell tink/server/internal/grpc
// makeValidName(agentID, "discovery-"), step by step, so that hwagent and
// Tinkerbell's auto-discovery name a machine's Hardware alike. A MAC
// "3c:ec:ef:4c:4f:54" gives "discovery-3c-ec-ef-4c-4f-54".
func DiscoveryName(agentID string) (string, error) {
	if strings.TrimSpace(agentID) == "" {
		return "", errors.New("no agent ID (no worker_id and no boot MAC) to name the Hardware by")
	}
	return makeValidName(agentID, discoveryPrefix)
}

// makeValidName is Tinkerbell's makeValidName(name, prefix).
func makeValidName(name, prefix string) (string, error) {
	id := strings.TrimSpace(name)
	if id == "" {
		return "", errors.New("empty name")
	}
	s := prefix + id
	// Tinkerbell's makeValidName: make it start and end alphanumeric...
	if !reAlnumStart().MatchString(s) {
		s = "e" + s
	}
	if !reAlnumEnd().MatchString(s) {
		s += "e"
	}
	// ...every other character a '-', runs of '-' one, none at either end,
	// lower case, at most 63 characters.
	s = reNotName().ReplaceAllString(s, "-")
	s = reDashes().ReplaceAllString(s, "-")
	s = strings.Trim(s, "-")
	s = strings.ToLower(s)
	if len(s) > 63 {
		s = s[:63]
	}
	if !namespacePattern().MatchString(s) {
		return "", fmt.Errorf("agent ID %q gives %q, not a valid Kubernetes name", name, s)
	}
	return s, nil
}

// agentIDOf is what a tink-agent on the machine uses as its ID: Tinkerbell's
// worker_id= kernel parameter when the machine booted with one (Smee sets
// it to the Hardware's spec.agentID, else the booting NIC's MAC), else the
// provisioning MAC (what Smee would set). A worker_id that is not a
// printable string of at most 253 bytes is not used.
func agentIDOf(workerID, mac string) string {
	w := strings.TrimSpace(workerID)
	if w != "" && len(w) <= 253 && printable(w) {
		return w
	}
	return mac
}

func printable(s string) bool {
	for _, c := range s {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}
