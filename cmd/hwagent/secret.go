package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/hwagent/hwagent/internal/secret"
)

// readSecret returns the flag's value, else the file's first line; the
// flag and its -file variant are exclusive.
func readSecret(value, file, name string) (secret.Value, error) {
	if value != "" && file != "" {
		return "", fmt.Errorf("--%s and --%s-file both given", name, name)
	}
	if file == "" {
		return secret.Value(value), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("--%s-file: %w", name, err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return secret.Value(strings.TrimSpace(line)), nil
}
