// Package kubetest runs a real Kubernetes API server for custom resources
// in tests, without a cluster: Debian's etcd and k8s.io/apiextensions-
// apiserver (the code that serves CRDs inside kube-apiserver), built once
// per machine from the Go module proxy and cached beside the lab's QEMU
// kernel (internal/lab CacheDir). Tinkerbell's Hardware and Rufio's Machine
// CRDs (the shared fixtures) are installed and Established before a test
// sees the server.
//
// That server has no core API: no Namespace, no Secret. Proxy puts an
// HTTPS front in front of it that forwards everything else and answers
// core/v1 Secrets itself, after decoding each applied Secret strictly into
// k8s.io/api's core/v1 Secret type and checking what the API server's
// validation of a Secret checks (name, labels, type, data keys and the
// basic-auth keys). Proxy also simulates an unreachable server (Down/Up)
// for one test without stopping the server other tests share.
//
// Start the server once per test binary: Shared(t) starts it on first use
// and Main (from TestMain) stops it after the tests.
package kubetest
