package kubetest

import (
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"slices"
)

// NoRights is a group whose users the API server authenticates and then
// forbids everything (403), as a cluster does for a user no RBAC rule
// names: User{Name: "x", Groups: []string{kubetest.NoRights}}.
const NoRights = "kubetest:no-rights"

// The apiextensions-apiserver has no authorizer of its own: it delegates
// every decision but system:masters' to a SubjectAccessReview
// (authorization.k8s.io/v1) at its --authorization-kubeconfig, as a real
// cluster's aggregated servers do. Pointed at itself, which does not
// serve that API, it answered 500 for every other user, and a 403 could
// not be tested. authorizer answers those reviews: everything allowed,
// except to the group NoRights.
type authorizer struct{ srv *httptest.Server }

func startAuthorizer() *authorizer {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var review struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Spec       struct {
				User   string   `json:"user"`
				Groups []string `json:"groups"`
			} `json:"spec"`
			Status struct {
				Allowed bool   `json:"allowed"`
				Denied  bool   `json:"denied,omitempty"`
				Reason  string `json:"reason,omitempty"`
			} `json:"status"`
		}
		if r.Method != http.MethodPost || r.URL.Path != "/apis/authorization.k8s.io/v1/subjectaccessreviews" {
			http.NotFound(w, r)
			return
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if slices.Contains(review.Spec.Groups, NoRights) {
			review.Status.Denied, review.Status.Reason = true, "no RBAC rule allows user "+review.Spec.User+" (kubetest)"
		} else {
			review.Status.Allowed = true
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(review) //nolint:errcheck // the API server retries
	}))
	return &authorizer{srv: srv}
}

// writeKubeconfig writes the kubeconfig the API server reaches the
// authorizer with (no client identity: the authorizer checks none).
func (a *authorizer) writeKubeconfig(path string) error {
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.srv.Certificate().Raw})
	return writeKubeconfigFile(path, "authorizer", map[string]any{"server": a.srv.URL, "certificate-authority-data": ca}, map[string]any{})
}

func (a *authorizer) close() { a.srv.Close() }
