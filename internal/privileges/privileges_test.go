package privileges

import "testing"

func TestEffective(t *testing.T) {
	// Excerpt of /proc/self/status of a container with Docker's default
	// capability set (CapEff 00000000a80425fb: no NET_ADMIN, SYS_BOOT, DAC_READ_SEARCH).
	status := []byte("Name:\tcat\nCapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\n")
	eff, err := Effective(status)
	if err != nil || eff != 0xa80425fb {
		t.Fatalf("Effective = %#x, %v", eff, err)
	}
	var names []string
	for _, c := range Missing(eff, "run") {
		names = append(names, c.Name)
	}
	want := []string{"CAP_NET_ADMIN", "CAP_SYS_BOOT", "CAP_DAC_READ_SEARCH"}
	if len(names) != len(want) {
		t.Fatalf("missing = %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("missing[%d] = %s, want %s", i, names[i], want[i])
		}
	}
	if m := Missing(^uint64(0), "run"); len(m) != 0 {
		t.Errorf("full capability set misses %v", m)
	}
	if _, err := Effective([]byte("Name:\tx\n")); err == nil {
		t.Error("no CapEff accepted")
	}
}
