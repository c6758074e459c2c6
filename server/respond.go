package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
)

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"internal","message":"encode answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n')) //nolint:errcheck // the client went away
}

// writeError answers an api.Error.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	switch status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="hwagent"`)
	case http.StatusRequestTimeout:
		// The rest of the body may still come: the connection is done.
		w.Header().Set("Connection", "close")
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		if w.Header().Get("Retry-After") == "" {
			// 1-5 s, spread so that refused agents do not return together.
			w.Header().Set("Retry-After", strconv.Itoa(1+rand.IntN(5)))
		}
	}
	writeJSON(w, status, api.Error{Code: code, Message: msg})
}

// storeError answers the error of a store call and returns the result label
// for metrics.
func (s *Server) storeError(w http.ResponseWriter, r *http.Request, err error) string {
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, api.CodeNotFound, "no such machine")
		return "not_found"
	case errors.Is(err, store.ErrBadCredential):
		writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "credential not valid for this machine: register again")
		return "unauthorized"
	case errors.Is(err, store.ErrNoPending):
		writeError(w, http.StatusNotFound, api.CodeNotFound, err.Error())
		return "not_found"
	case errors.Is(err, store.ErrAmbiguous):
		writeError(w, http.StatusConflict, api.CodeConflict, err.Error())
		return "conflict"
	case errors.As(err, new(*store.ConflictError)):
		writeError(w, http.StatusConflict, api.CodeIdentityConflict, err.Error()+"; nothing was stored")
		return "conflict"
	case errors.Is(err, store.ErrMatchChanged):
		// Concurrent registrations kept changing the match: rare; retry.
		s.log(r).Warn("registration kept matching other machines", "err", err)
		writeError(w, http.StatusServiceUnavailable, api.CodeUnavailable, "concurrent registrations of the same keys: retry")
		return "error"
	case errors.Is(err, store.ErrNoIdentity):
		writeError(w, http.StatusBadRequest, api.CodeNoIdentity, err.Error())
		return "invalid"
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		writeError(w, http.StatusServiceUnavailable, api.CodeUnavailable, "request cancelled")
		return "cancelled"
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		s.log(r).Error("store unavailable", "err", err)
		writeError(w, http.StatusServiceUnavailable, api.CodeUnavailable, "database unavailable, retry later")
		return "error"
	}
	s.log(r).Error("store failed", "err", err)
	writeError(w, http.StatusInternalServerError, api.CodeInternal, "internal error (request "+requestID(r)+")")
	return "error"
}

// log is the logger scoped to the request.
func (s *Server) log(r *http.Request) *slog.Logger {
	return s.cfg.Logger.With("request_id", requestID(r))
}
