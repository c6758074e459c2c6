package sqlstore

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

func TestListFilters(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		// Machines 0-2 in rack 0, 40 in rack 1; 1 is a Supermicro; 2 checks
		// in late and is released.
		ids := map[int]string{}
		for _, i := range []int{0, 1, 2, 40} {
			inv := testinv.Machine(i)
			if i == 1 {
				inv.System.Product.Manufacturer, inv.System.Product.Name = "Supermicro", "SYS-1029U-TRT"
			}
			ids[i] = register(t, s, inv, hash(i), i%10).MachineID
		}
		if _, err := s.Checkin(ctx, store.Checkin{MachineID: ids[2], CredentialHash: hash(2), State: api.StateReleased, Now: at(30)}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    store.Filter
			want []int
		}{
			{"all", store.Filter{}, []int{0, 1, 2, 40}},
			{"vendor substring, any case", store.Filter{Vendor: "dell"}, []int{0, 2, 40}},
			{"vendor", store.Filter{Vendor: "SUPERMICRO"}, []int{1}},
			{"vendor with LIKE metacharacters", store.Filter{Vendor: "%"}, nil},
			{"product", store.Filter{Product: "r610"}, []int{0, 2, 40}},
			{"state", store.Filter{State: api.StateReleased}, []int{2}},
			{"switch by name", store.Filter{Switch: "leaf-r001-b"}, []int{40}},
			{"switch by name, any case", store.Filter{Switch: "LEAF-R000-A"}, []int{0, 1, 2}},
			{"switch by chassis ID", store.Filter{Switch: "44:4c:a8:00:01:00"}, []int{40}},
			{"seen since", store.Filter{SeenSince: at(2)}, []int{2}},
			{"seen before", store.Filter{SeenBefore: at(1)}, []int{0, 40}},
			{"combined", store.Filter{Vendor: "dell", Switch: "leaf-r000-b", SeenBefore: at(10)}, []int{0}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ms, err := s.List(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, m := range ms {
					got = append(got, m.ID)
				}
				var want []string
				for _, i := range tt.want {
					want = append(want, ids[i])
				}
				if diff := cmp.Diff(sorted(want), got); diff != "" {
					t.Errorf("machines (-want +got):\n%s", diff)
				}
			})
		}
		// Pages follow the ID order.
		all, err := s.List(ctx, store.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var paged []api.Machine
		after := ""
		for {
			page, err := s.List(ctx, store.Filter{After: after, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, page...)
			if len(page) < 3 {
				break
			}
			after = page[len(page)-1].ID
		}
		if diff := cmp.Diff(all, paged); diff != "" {
			t.Errorf("pages (-all +paged):\n%s", diff)
		}
		counts, err := s.CountByState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]int{api.StateRegistered: 3, api.StateReleased: 1}, counts); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
	})
}
