package export

import "testing"

// TestMakeValidName: the cases of Tinkerbell's own test of makeValidName
// (tinkerbell/tinkerbell tink/server/internal/grpc/kube_test.go), so that
// hwagent names a discovered machine's Hardware as tink-server does.
func TestMakeValidName(t *testing.T) {
	for _, tc := range []struct{ name, prefix, want string }{
		{"  my name  ", "", "my-name"},
		{"", "", ""},
		{"very-long-name-that-exceeds-the-sixty-three-character-limit-and-needs-to-be-truncated", "", "very-long-name-that-exceeds-the-sixty-three-character-limit-and"},
		{"invalid@name", "", "invalid-name"},
		{"-starts-with-hyphen", "", "e-starts-with-hyphen"},
		{"ends-with-hyphen-", "", "ends-with-hyphen-e"},
		{"--multiple---hyphens--", "", "e-multiple-hyphens-e"},
		{"my-app", "enrollment-", "enrollment-my-app"},
		{"  my app  ", "enrollment-", "enrollment-my-app"},
		{"-starts-with-hyphen", "enrollment-", "enrollment-starts-with-hyphen"},
		{"ends-with-hyphen-", "enrollment-", "enrollment-ends-with-hyphen-e"},
		{"--multiple---hyphens--", "enrollment-", "enrollment-multiple-hyphens-e"},
		{"very-long-name-that-exceeds-the-sixty-three-character-limit-and-needs-to-be-truncated", "enrollment-", "enrollment-very-long-name-that-exceeds-the-sixty-three-characte"},
		{"  ", "enrollment-", ""},
		{"my-app", "-prefix", "e-prefixmy-app"},
		{"hello123456GaA", "enrollment-", "enrollment-hello123456gaa"},
		{"3c:ec:ef:4c:4f:54", "enrollment-", "enrollment-3c-ec-ef-4c-4f-54"},
		{"3c:ec:ef:4c:4f:54", "discovery-", "discovery-3c-ec-ef-4c-4f-54"},
	} {
		got, err := makeValidName(tc.name, tc.prefix)
		if (err != nil) != (tc.want == "") || got != tc.want {
			t.Errorf("makeValidName(%q, %q) = %q, %v; want %q", tc.name, tc.prefix, got, err, tc.want)
		}
	}
	if _, err := DiscoveryName(" "); err == nil {
		t.Error("DiscoveryName of a blank agent ID: no error")
	}
}

func TestAgentIDOf(t *testing.T) {
	for _, tc := range []struct{ worker, mac, want string }{
		{"", "00:1f:f3:af:d3:f1", "00:1f:f3:af:d3:f1"},
		{"worker-7", "00:1f:f3:af:d3:f1", "worker-7"},
		{"bad\x1b[31m", "00:1f:f3:af:d3:f1", "00:1f:f3:af:d3:f1"},
		{string(make([]byte, 300)), "00:1f:f3:af:d3:f1", "00:1f:f3:af:d3:f1"},
	} {
		if got := agentIDOf(tc.worker, tc.mac); got != tc.want {
			t.Errorf("agentIDOf(%q, %q) = %q, want %q", tc.worker, tc.mac, got, tc.want)
		}
	}
}
