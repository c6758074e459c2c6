package storage

import (
	"strings"

	"github.com/hwagent/hwagent/inventory"
)

// readArray reads an md or dm-multipath device; ok is false for other
// block devices (loop, dm linear/crypt volumes...).
func readArray(r reader, name string) (inventory.Array, bool) {
	dir := r.p.Sys("block", name)
	a := inventory.Array{Name: name, Path: "/dev/" + name}
	switch {
	case strings.HasPrefix(name, "md"):
		a.Kind = "md"
		a.Level = r.str(dir + "/md/level")
		if a.Level == "" {
			return a, false // an md node without an array behind it
		}
	case strings.HasPrefix(name, "dm-"):
		uuid := r.str(dir + "/dm/uuid")
		if !strings.HasPrefix(uuid, "mpath-") {
			return a, false
		}
		a.Kind = "multipath"
		a.DMName = r.str(dir + "/dm/name")
		a.UUID = strings.TrimPrefix(uuid, "mpath-")
		if a.DMName != "" {
			a.Path = "/dev/mapper/" + a.DMName
		}
	default:
		return a, false
	}
	if sectors, ok := r.uint(dir + "/size"); ok {
		a.SizeBytes = sectors * 512
	}
	a.Members = []string{}
	if ents, err := r.p.ReadDir(dir + "/slaves"); err == nil {
		for _, e := range ents {
			a.Members = append(a.Members, e.Name())
		}
	}
	return a, true
}
