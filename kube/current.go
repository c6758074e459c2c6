package kube

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Current reads the object that applying obj would change (same kind,
// namespace and name): nil when there is none. The serve syncer reads a
// Hardware before applying it, to tell its own machine's object from
// another machine's of the same name. Errors are *Error.
func (c *Client) Current(ctx context.Context, obj Object) (Object, error) {
	u := &unstructured.Unstructured{Object: obj}
	ref := Ref{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
	gvr, ok := resources[u.GetAPIVersion()+"/"+u.GetKind()]
	if !ok {
		return nil, &Error{Ref: ref, Reason: Rejected, Err: fmt.Errorf("hwagent does not read %s %s", u.GetAPIVersion(), u.GetKind())}
	}
	if ref.Name == "" || ref.Namespace == "" {
		return nil, &Error{Ref: ref, Reason: Rejected, Err: errors.New("object without a name or namespace")}
	}
	dyn, err := c.client()
	if err != nil {
		return nil, &Error{Ref: ref, Reason: Unauthorized, Err: err}
	}
	cur, err := dyn.Resource(gvr).Namespace(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		if se := (apierrors.APIStatus)(nil); errors.As(err, &se) && se.Status().Details != nil && se.Status().Details.Name == ref.Name {
			return nil, nil // the object is not there; the resource type is
		}
	}
	if err != nil {
		kerr := classify(ref, gvr, c.host, err)
		if kerr.Reason == Unauthorized || kerr.Reason == Forbidden {
			c.setReload()
		}
		return nil, kerr
	}
	return cur.Object, nil
}
