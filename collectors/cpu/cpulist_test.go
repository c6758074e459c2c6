package cpu

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCPUList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{in: "", want: nil},
		{in: "\n", want: nil},
		{in: "0\n", want: []int{0}},
		{in: "0-3,8-11", want: []int{0, 1, 2, 3, 8, 9, 10, 11}},
		// dual Xeon L5640 NUMA node 0 (testdata/ghw/dual-xeon-l5640).
		{in: "0,2,4,6,8,10,12,14,16,18,20,22", want: []int{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22}},
		// Ryzen 5 1600 L3 (one CCX).
		{in: "0-2,6-8", want: []int{0, 1, 2, 6, 7, 8}},
		{in: "3,1-2,2", want: []int{1, 2, 3}},
		{in: "5-5", want: []int{5}},
		{in: "3-1", wantErr: true},
		{in: "a", wantErr: true},
		{in: "1,,2", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "+1", wantErr: true},
		{in: "0-", wantErr: true},
		{in: "0-1-2", wantErr: true},
		{in: "65536", wantErr: true},
		{in: "0-65535,0-1", wantErr: true},
		{in: "0-4294967296", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCPUList(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrCPUList) {
					t.Fatalf("ParseCPUList(%q) error = %v, want ErrCPUList", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCPUList(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseCPUList(%q) (-want +got):\n%s", tt.in, diff)
			}
			if tt.want != nil {
				if back := FormatCPUList(got); back != FormatCPUList(tt.want) {
					t.Errorf("FormatCPUList round trip = %q", back)
				}
			}
		})
	}
}

func TestFormatCPUList(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   []int
		want string
	}{
		{nil, ""},
		{[]int{0}, "0"},
		{[]int{0, 1, 2, 3, 8}, "0-3,8"},
		{[]int{0, 2, 4}, "0,2,4"},
		{[]int{0, 1, 3, 4}, "0-1,3-4"},
	} {
		if got := FormatCPUList(tt.in); got != tt.want {
			t.Errorf("FormatCPUList(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseCPUList(f *testing.F) {
	for _, s := range []string{"", "0", "0-3,8-11", "0,2,4,6,8,10,12,14,16,18,20,22", "0-2,6-8", "3-1", "0-65535"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cpus, err := ParseCPUList(s)
		if err != nil {
			return
		}
		if len(cpus) > MaxCPUs {
			t.Fatalf("%d cpus", len(cpus))
		}
		back, err := ParseCPUList(FormatCPUList(cpus))
		if err != nil || !cmp.Equal(back, cpus) {
			t.Fatalf("round trip of %q: %v %v", s, back, err)
		}
	})
}
