package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	oasvalidator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// The OpenAPI document is checked by a maintained OpenAPI 3.1 library
// (pb33f/libopenapi and libopenapi-validator), and every server test's real
// requests and answers go through the same library: the fixture's server
// sits behind conformant, which fails the test on an answer the document
// does not describe, or on a request the server accepted that the document
// says is invalid.

var spec struct {
	once sync.Once
	mu   sync.Mutex // the validator's caches are not documented as concurrency-safe
	v    oasvalidator.Validator
	err  error
}

// openAPIValidator parses docs/openapi.yaml once per test binary.
func openAPIValidator(t *testing.T) oasvalidator.Validator {
	t.Helper()
	spec.once.Do(func() {
		b, err := os.ReadFile("../docs/openapi.yaml")
		if err != nil {
			spec.err = err
			return
		}
		doc, err := libopenapi.NewDocument(b)
		if err != nil {
			spec.err = fmt.Errorf("docs/openapi.yaml: %w", err)
			return
		}
		v, errs := oasvalidator.NewValidator(doc)
		if len(errs) > 0 {
			spec.err = fmt.Errorf("docs/openapi.yaml: %v", errs)
			return
		}
		spec.v = v
	})
	if spec.err != nil {
		t.Fatal(spec.err)
	}
	return spec.v
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  - %s: %s", e.Message, e.Reason)
		for _, s := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n      %s %s", s.FieldPath, s.Reason)
		}
	}
	return b.String()
}

// TestOpenAPIDocumentValid: docs/openapi.yaml is valid OpenAPI 3.1 for the
// library, and no mapping key is prose — the mark of an unquoted comma in a
// YAML flow mapping ("{description: a, b}" makes "b" a key), which a JSON
// Schema validator accepts as an unknown keyword.
func TestOpenAPIDocumentValid(t *testing.T) {
	t.Parallel()
	v := openAPIValidator(t)
	spec.mu.Lock()
	ok, errs := v.ValidateDocument()
	spec.mu.Unlock()
	if !ok {
		t.Errorf("docs/openapi.yaml is not valid OpenAPI 3.1:%s", describe(errs))
	}
	var walk func(path string, x any)
	walk = func(path string, x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				if strings.ContainsAny(k, " \t") {
					t.Errorf("docs/openapi.yaml %s: key %q (an unquoted comma in a flow mapping?)", path, k)
				}
				walk(path+"/"+k, v)
			}
		case []any:
			for i, v := range x {
				walk(fmt.Sprintf("%s/%d", path, i), v)
			}
		}
	}
	walk("", openAPI(t))
}

// conformant wraps the server: each answer must be one the document
// describes for the request, and each request the server accepted (2xx)
// must be valid by the document. The server reads the body at its own pace
// and writes to the real connection (its read deadlines and body budgets
// are under test too); the wrapper keeps copies of both.
func conformant(t *testing.T, h http.Handler) http.Handler {
	v := openAPIValidator(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var read bytes.Buffer
		tee := io.TeeReader(r.Body, &read)
		r.Body = struct {
			io.Reader
			io.Closer
		}{tee, r.Body}
		cw := &captureWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(cw, r)
		if r.URL.Path == "/metrics" || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			return // text answers, not the protocol's JSON
		}
		if cw.status/100 == 2 {
			// Accepted: the whole request was sent; read what the
			// server did not need (a held credential's check-in).
			io.Copy(io.Discard, tee) //nolint:errcheck // a copy for the check only
		}
		req := r.Clone(r.Context())
		req.Body = io.NopCloser(bytes.NewReader(read.Bytes()))
		resp := &http.Response{StatusCode: cw.status, Header: w.Header().Clone(), Body: io.NopCloser(bytes.NewReader(cw.body.Bytes())), Request: req}
		spec.mu.Lock()
		defer spec.mu.Unlock()
		if ok, errs := v.ValidateHttpResponse(req, resp); !ok && !undocumentedRoute(errs, cw.status) {
			t.Errorf("%s %s answered %d, which docs/openapi.yaml does not describe:%s\n%s", r.Method, r.URL.Path, cw.status, describe(errs), clip(cw.body.Bytes()))
		}
		if cw.status/100 == 2 {
			req.Body = io.NopCloser(bytes.NewReader(read.Bytes()))
			if ok, errs := v.ValidateHttpRequest(req); !ok {
				t.Errorf("%s %s: the server accepted a request docs/openapi.yaml says is invalid:%s\n%s", r.Method, r.URL.Path, describe(errs), clip(read.Bytes()))
			}
		}
	})
}

// captureWriter passes everything to the connection and keeps a copy of
// the status and body; Unwrap lets http.ResponseController reach the
// connection (read deadlines, flushes).
type captureWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (c *captureWriter) WriteHeader(code int) {
	if !c.wroteHeader {
		c.status, c.wroteHeader = code, true
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *captureWriter) Write(b []byte) (int, error) {
	c.wroteHeader = true
	if c.body.Len() < 1<<20 {
		c.body.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *captureWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// undocumentedRoute: a 404 or 405 for a path or method the document does
// not have (routing tests) is nothing the document can describe.
func undocumentedRoute(errs []*verrors.ValidationError, status int) bool {
	if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
		return false
	}
	for _, e := range errs {
		if e.IsPathMissingError() || e.IsOperationMissingError() {
			return true
		}
	}
	return false
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}
