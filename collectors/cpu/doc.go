// Package cpu collects the processor section of the inventory: what
// /proc/cpuinfo says about the first logical CPU, the topology the kernel
// sees in /sys/devices/system/cpu (packages, cores, threads, online CPUs),
// NUMA nodes from /sys/devices/system/node, the caches of CPU 0 and, when the
// host exports an SMBIOS table, the firmware's processor sockets (type 4).
//
// The decoders (ParseCPUInfo, ParseCPUList, ParseNodeMemTotal,
// ParseCacheSize) are pure functions over bytes; the collector only reads
// files through hostpaths.Paths and feeds them.
package cpu
