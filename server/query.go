package server

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hwagent/hwagent/server/api"
)

// strictQuery parses a raw query string like url.ParseQuery, but where
// net/url drops what it cannot parse (r.URL.Query() then silently loses a
// filter: "?vendor=x;y" listed every machine), it fails naming the
// parameter: a ';' (not a separator since Go 1.17), a bad %-escape in a
// name or value, bytes that are not UTF-8, a control character.
func strictQuery(raw string) (url.Values, error) {
	q := url.Values{}
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(part, "=")
		if i := strings.IndexByte(rawKey, ';'); i >= 0 {
			return nil, fmt.Errorf("query parameter %s: ';' does not separate parameters, use '&'", paramName(rawKey[:i]))
		}
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			return nil, fmt.Errorf("query parameter %s: bad %%-escape in its name", paramName(rawKey))
		}
		if strings.IndexByte(rawValue, ';') >= 0 {
			return nil, fmt.Errorf("query parameter %s: ';' does not separate parameters, use '&' (or %%3B for a ';' in the value)", paramName(key))
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return nil, fmt.Errorf("query parameter %s: bad %%-escape in its value", paramName(key))
		}
		if !utf8.ValidString(key) || !utf8.ValidString(value) {
			// Every stored string is UTF-8 (PostgreSQL's text holds
			// nothing else): such a value can match nothing.
			return nil, fmt.Errorf("query parameter %s: not UTF-8", paramName(key))
		}
		if strings.ContainsFunc(key, unicode.IsControl) || strings.ContainsFunc(value, unicode.IsControl) {
			return nil, fmt.Errorf("query parameter %s: control characters", paramName(key))
		}
		q[key] = append(q[key], value)
	}
	return q, nil
}

// paramName is a parameter's name for a message: as given when it is
// plain, quoted otherwise (no control character reaches a terminal).
func paramName(name string) string {
	if name != "" && !strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == utf8RuneError || unicode.IsSpace(r) }) {
		return name
	}
	return strconv.QuoteToASCII(name)
}

const utf8RuneError = '\uFFFD'

// onlyParams answers 400 naming the first query parameter not in allowed
// (in name order) or given more than once, and returns false then.
func onlyParams(w http.ResponseWriter, r *http.Request, allowed ...string) bool {
	q := r.URL.Query()
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		switch {
		case !contains(allowed, k):
			writeError(w, http.StatusBadRequest, api.CodeInvalidBody, fmt.Sprintf("unknown query parameter %s", strconv.QuoteToASCII(k)))
			return false
		case len(q[k]) > 1:
			writeError(w, http.StatusBadRequest, api.CodeInvalidBody, fmt.Sprintf("query parameter %s: given %d times", paramName(k), len(q[k])))
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
