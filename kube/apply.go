package kube

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Object is one object to apply in its JSON form: apiVersion, kind,
// metadata.name and metadata.namespace are required.
type Object = map[string]any

// Ref names an object.
type Ref struct {
	Kind, Namespace, Name string
}

func (r Ref) String() string { return r.Kind + " " + r.Namespace + "/" + r.Name }

// Conflict is a field hwagent would set that another field manager holds
// with another value. Apply leaves it to that manager (unless forced).
type Conflict struct {
	// Field is the field's path as the API server names it
	// (".spec.interfaces", ".metadata.labels.type").
	Field string `json:"field"`
	// Manager is the field manager holding it ("kubectl-edit").
	Manager string `json:"manager"`
}

func (c Conflict) String() string { return c.Field + " (held by " + c.Manager + ")" }

// Result is the outcome of one applied object.
type Result struct {
	Ref Ref
	// Conflicts are the fields left to other managers; the rest was applied.
	Conflicts []Conflict
}

// resources maps the kinds hwagent writes to their API resources. Fixed,
// rather than discovered: a cluster serving another version is reported
// as such instead of being written to in a shape hwagent never checked.
var resources = map[string]schema.GroupVersionResource{
	"tinkerbell.org/v1alpha1/Hardware":    {Group: "tinkerbell.org", Version: "v1alpha1", Resource: "hardware"},
	"bmc.tinkerbell.org/v1alpha1/Machine": {Group: "bmc.tinkerbell.org", Version: "v1alpha1", Resource: "machines"},
	"v1/Secret":                           {Version: "v1", Resource: "secrets"},
}

// maxConflictRounds bounds the apply → give up conflicting fields → apply
// rounds for one object (a field changes hands rarely; a loop would mean a
// manager fighting hwagent).
const maxConflictRounds = 4

var mu sync.Mutex // guards Client.dyn and Client.reload

// Apply server-side applies obj as the client's field manager. Fields held
// by another manager with another value are given up and reported in
// Result.Conflicts (with Options.Force they are taken instead). obj is
// modified: given-up fields are removed from it. Errors are *Error.
func (c *Client) Apply(ctx context.Context, obj Object) (Result, error) {
	u := &unstructured.Unstructured{Object: obj}
	ref := Ref{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
	res := Result{Ref: ref}
	gvr, ok := resources[u.GetAPIVersion()+"/"+u.GetKind()]
	if !ok {
		return res, &Error{Ref: ref, Reason: Rejected, Err: fmt.Errorf("hwagent does not write %s %s", u.GetAPIVersion(), u.GetKind())}
	}
	if ref.Name == "" || ref.Namespace == "" {
		return res, &Error{Ref: ref, Reason: Rejected, Err: errors.New("object without a name or namespace")}
	}
	for round := 0; ; round++ {
		dyn, err := c.client()
		if err != nil {
			return res, &Error{Ref: ref, Reason: Unauthorized, Err: err}
		}
		_, err = dyn.Resource(gvr).Namespace(ref.Namespace).Apply(ctx, ref.Name, u,
			metav1.ApplyOptions{FieldManager: c.opts.FieldManager, Force: c.opts.Force})
		if err == nil {
			return res, nil
		}
		conflicts := conflictsOf(err)
		if len(conflicts) == 0 || round >= maxConflictRounds {
			kerr := classify(ref, gvr, c.host, err)
			if kerr.Reason == Unauthorized || kerr.Reason == Forbidden {
				c.setReload()
			}
			return res, kerr
		}
		for _, cf := range conflicts {
			if !dropField(obj, cf.Field) {
				return res, &Error{Ref: ref, Reason: Conflicted, Err: fmt.Errorf("conflict on %s, which hwagent cannot give up: %w", cf, err)}
			}
		}
		res.Conflicts = append(res.Conflicts, conflicts...)
	}
}

func (c *Client) client() (dynInterface, error) {
	mu.Lock()
	defer mu.Unlock()
	if c.reload {
		if err := c.load(); err != nil {
			return nil, err
		}
	}
	return c.dyn, nil
}

func (c *Client) setReload() {
	mu.Lock()
	c.reload = true
	mu.Unlock()
}

// conflictsOf reads the field manager conflicts of a 409 answer to an
// apply: one cause per field, "conflict with \"kubectl-edit\" using v1".
func conflictsOf(err error) []Conflict {
	var se apierrors.APIStatus
	if !errors.As(err, &se) || se.Status().Code != 409 || se.Status().Details == nil {
		return nil
	}
	var out []Conflict
	for _, c := range se.Status().Details.Causes {
		if c.Type != metav1.CauseTypeFieldManagerConflict {
			continue
		}
		out = append(out, Conflict{Field: c.Field, Manager: managerOf(c.Message)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// managerOf extracts the quoted manager name of a conflict message.
func managerOf(msg string) string {
	rest, ok := strings.CutPrefix(msg, "conflict with ")
	if !ok {
		return msg
	}
	if q, err := strconv.QuotedPrefix(rest); err == nil {
		if s, err := strconv.Unquote(q); err == nil {
			return s
		}
	}
	return rest
}

// dropField removes the node at a server-side apply field path
// (".metadata.labels.type") from obj, and the maps it leaves empty on the
// way. Keys may contain dots ("clusterctl.cluster.x-k8s.io/move"): paths
// are matched whole against obj's own keys, never split.
func dropField(obj map[string]any, path string) bool {
	found, _ := drop(obj, "", path)
	return found
}

func drop(m map[string]any, prefix, path string) (found, empty bool) {
	for k, v := range m {
		p := prefix + "." + k
		if p == path {
			delete(m, k)
			return true, len(m) == 0
		}
		child, ok := v.(map[string]any)
		if !ok || !strings.HasPrefix(path, p+".") {
			continue
		}
		if f, e := drop(child, p, path); f {
			if e {
				delete(m, k)
			}
			return true, len(m) == 0
		}
	}
	return false, false
}
