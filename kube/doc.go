// Package kube writes hwagent's Tinkerbell objects (Hardware, Rufio's BMC
// Machine and its Secret) into a Kubernetes API server with server-side
// apply under one field manager ("hwagent"), so that hwagent owns only the
// fields it sets: an operator's labels, netboot or metadata edits and other
// controllers' fields stay theirs.
//
// A field that hwagent and another manager both set to different values is
// a conflict. Apply never forces it unless asked (Options.Force): it gives
// up its claim on the conflicting fields, applies the rest, and reports
// each conflict with the manager that holds the field (Kubernetes'
// "give up management" resolution of server-side apply conflicts).
//
// The client is client-go's dynamic client with its kubeconfig loader
// (clientcmd): kubeconfig files behave as for kubectl (contexts, client
// certificates, tokens and token files, exec credential plugins such as
// aws eks get-token), and failures are classified (Reason) so that a
// caller can tell an unreachable server or expired credentials (retry
// later) from a missing CRD or a rejected object. The typed clientset is
// not used (it would link every API group): objects are unstructured JSON
// built by the export package. The package is imported only by the server
// build of hwagent (+4.8 MB, 25.1 → 29.9 MB stripped): the agent build
// (-tags noserver) never links client-go (cmd/hwagent
// TestAgentBuildHasNoKubernetes).
package kube
