package network

import (
	"bytes"
	"net"

	"github.com/hwagent/hwagent/hostpaths"
)

// linkIndex finds netlink links that are the interfaces sysfs describes.
type linkIndex struct {
	byName  map[string]*hostpaths.NetLink
	byIndex map[int]*hostpaths.NetLink
}

func newLinkIndex(links []hostpaths.NetLink) linkIndex {
	li := linkIndex{byName: make(map[string]*hostpaths.NetLink, len(links)), byIndex: make(map[int]*hostpaths.NetLink, len(links))}
	for i := range links {
		li.byName[links[i].Name] = &links[i]
		li.byIndex[links[i].Index] = &links[i]
	}
	return li
}

// match returns the netlink link that is the sysfs interface name with
// ifindex and current MAC mac, or nil when the host's network has no such
// link (a sysfs mounted in another namespace).
func (li linkIndex) match(name string, ifindex int, mac net.HardwareAddr) *hostpaths.NetLink {
	l := li.byName[name]
	if l == nil || ifindex <= 0 || l.Index != ifindex || !bytes.Equal(l.MAC, mac) {
		return nil
	}
	return l
}
