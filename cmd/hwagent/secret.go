package main

import (
	"fmt"
	"os"
	"strings"
)

// secret returns the flag's value, else the file's first line.
func secret(value, file, name string) (string, error) {
	if value != "" && file != "" {
		return "", fmt.Errorf("--%s and --%s-file both given", name, name)
	}
	if file == "" {
		return value, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("--%s-file: %w", name, err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line), nil
}
