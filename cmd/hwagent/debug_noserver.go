//go:build noserver

//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0

package main

// The agent build does not size GOMAXPROCS from its cgroup's CPU limit:
// LinuxKit and Hook set none, and reading /proc/self/cgroup and mountinfo
// at every start (then again every second) is code and I/O a netbooted
// machine under emulation pays before its first log line. The server
// build keeps Go's default, useful under Kubernetes CPU limits.
