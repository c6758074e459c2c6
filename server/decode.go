package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/hwagent/hwagent/server/api"
)

// bodyError is a request body that cannot be used: Status is 400 or 413.
type bodyError struct {
	Status int
	Code   string
	Msg    string
}

func (e *bodyError) Error() string { return e.Msg }

// decodeStrict decodes exactly one JSON value from r into dst: unknown
// fields, wrong types, trailing data, an empty body and more than limit
// bytes are errors (*bodyError). It reads at most limit+1 bytes.
func decodeStrict(r io.Reader, limit int64, dst any) error {
	lr := &countingLimit{r: r, left: limit}
	data, err := io.ReadAll(lr)
	if err != nil {
		return classify(err, lr, limit)
	}
	return decodeStrictBytes(data, limit, dst)
}

// strictV2 are the options of the fast path: encoding/json/v2's defaults
// (exact member names, no duplicate names, valid UTF-8) and unknown members
// refused; the longest lists of an inventory decoded without growing
// (exactLists).
var strictV2 = jsonv2.JoinOptions(jsonv2.RejectUnknownMembers(true), jsonv2.WithUnmarshalers(exactLists))

// decodeStrictBytes is decodeStrict over a body already read.
//
// What a body means is encoding/json's (v1) strict decoding, as it always
// was: the same documents accepted, the same values, the same messages.
// Decoding a 47 KB inventory with it cost 0.5 ms of CPU, a third of a
// registration, so a body is first decoded with encoding/json/v2
// (github.com/go-json-experiment/json, the standard library's v2 from Go
// 1.27: 2.5 times faster, half the allocations), which is stricter: what
// it accepts, v1 accepts with the same value (FuzzDecodeStrictV1V2 checks).
// What it refuses (a mistake, or what only v1 tolerates: a field name in
// another case, a name twice, invalid UTF-8) is decoded again with v1,
// which decides and words the error.
func decodeStrictBytes(data []byte, limit int64, dst any) error {
	if int64(len(data)) > limit {
		return &bodyError{http.StatusRequestEntityTooLarge, api.CodeTooLarge, fmt.Sprintf("body larger than %d bytes", limit)}
	}
	if jsonv2.Unmarshal(data, dst, strictV2) == nil {
		return nil
	}
	// v2 may have filled dst partly; v1 starts from the zero value, as
	// the callers' dst always does.
	reflect.ValueOf(dst).Elem().SetZero()
	return decodeStrictV1(data, dst)
}

// decodeStrictV1 is encoding/json's strict decoding of exactly one value.
func decodeStrictV1(data []byte, dst any) error {
	lr := &countingLimit{r: bytes.NewReader(data), left: int64(len(data))}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return classify(err, lr, int64(len(data)))
	}
	// Only white space may follow the value.
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err == nil:
		return &bodyError{http.StatusBadRequest, api.CodeInvalidBody, "body holds more than one JSON value"}
	default:
		return classify(err, lr, int64(len(data)))
	}
}

func classify(err error, lr *countingLimit, limit int64) error {
	if lr.over {
		return &bodyError{http.StatusRequestEntityTooLarge, api.CodeTooLarge, fmt.Sprintf("body larger than %d bytes", limit)}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &bodyError{http.StatusRequestEntityTooLarge, api.CodeTooLarge, fmt.Sprintf("body larger than %d bytes", mbe.Limit)}
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return &bodyError{http.StatusBadRequest, api.CodeInvalidBody, "empty body: want a JSON object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &bodyError{http.StatusBadRequest, api.CodeInvalidBody, "truncated JSON"}
	case errors.As(err, &syn):
		return &bodyError{http.StatusBadRequest, api.CodeInvalidBody, fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn)}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(top level)"
		}
		return &bodyError{http.StatusBadRequest, api.CodeInvalidBody, fmt.Sprintf("field %s: got JSON %s, want %s", field, typ.Value, typ.Type)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return &bodyError{http.StatusBadRequest, api.CodeInvalidBody, strings.TrimPrefix(err.Error(), "json: ")}
	}
	var be *bodyError
	if errors.As(err, &be) {
		return be
	}
	// Read errors of the connection itself, and the json package's other
	// complaints (invalid UTF-16 escapes...).
	return &bodyError{http.StatusBadRequest, api.CodeInvalidBody, "unreadable body: " + err.Error()}
}

// countingLimit reads at most left bytes and remembers when the body was
// longer, so the decoder's error is reported as "too large".
type countingLimit struct {
	r    io.Reader
	left int64
	over bool
}

func (c *countingLimit) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One more byte tells a body of exactly limit bytes from a longer one.
		var b [1]byte
		n, err := c.r.Read(b[:])
		if n > 0 {
			c.over = true
			return 0, errors.New("body too large")
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// maxSmallBody bounds bodies that are optional and tiny (approvals).
const maxSmallBody = 4 << 10

// decodeOptional is decodeStrict for a body that may be empty (dst keeps
// its zero value), bounded to maxSmallBody bytes.
func decodeOptional(w http.ResponseWriter, r *http.Request, limit int64, dst any) error {
	limit = min(limit, maxSmallBody)
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit+1))
	if err != nil {
		return classify(err, &countingLimit{}, limit)
	}
	if strings.TrimSpace(string(b)) == "" {
		return nil
	}
	return decodeStrict(strings.NewReader(string(b)), limit, dst)
}
