# hwagent's make targets. Plain `go build ./cmd/hwagent` and `go test ./...`
# need nothing else; these are conveniences for what takes more.

GO ?= go

.PHONY: e2e
# The netboot end-to-end test (e2e/, docs/e2e.md): boots a fake bare-metal
# server under QEMU and watches it register. Needs root and the Debian
# packages qemu-system-x86 busybox-static openipmi lldpd (apt for the
# kernel); skips, naming what is missing, without them, and fails instead
# when HWAGENT_TEST_REQUIRE names the capability or is "all" (CI).
e2e:
	$(GO) test -tags e2e -count=1 -v ./e2e/
