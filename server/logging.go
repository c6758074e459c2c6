package server

import (
	"log/slog"
	"net/http"
	"strings"
)

// slogLevel is the access log level: server errors are errors, refused
// requests warnings, successful check-ins and probes debug (ten thousand
// machines check in every 30 s), the rest info.
func slogLevel(r *http.Request, status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	case strings.HasSuffix(r.URL.Path, "/checkin"), r.URL.Path == "/healthz", r.URL.Path == "/readyz", r.URL.Path == "/metrics":
		return slog.LevelDebug
	}
	return slog.LevelInfo
}
