// Package kubesync applies registered machines to Kubernetes: for every
// machine the store's outbox marks (store.KubeOutbox: each registration and
// inventory upload), it builds the machine's Tinkerbell objects with the
// export package under the server's plan (Exporter.One) and server-side
// applies them (package kube): the Secret and Rufio Machine first when the
// machine has a BMC and credentials, then the Hardware.
//
// An apply that fails (unreachable API server, expired credentials, a CRD
// missing or of another version, an object the CRD rejects) leaves the
// machine registered and is retried with exponential backoff; fields
// another field manager holds are left to it and reported (state
// conflict). The state of each machine is in the store (machines show) and
// in the metrics. Any number of server replicas sharing a database can run
// a Syncer: they claim machines with leases.
package kubesync
