# hwagent's make targets. Plain `go build ./cmd/hwagent` and `go test ./...`
# need nothing else; these are conveniences for what takes more.

GO ?= go

.PHONY: e2e
# The netboot end-to-end test (e2e/, docs/e2e.md): boots a fake bare-metal
# server under QEMU and watches it register. Needs root and the Debian
# packages qemu-system-x86 busybox-static openipmi lldpd swtpm swtpm-tools (apt for the
# kernel); skips, naming what is missing, without them, and fails instead
# when HWAGENT_TEST_REQUIRE names the capability or is "all" (CI).
e2e:
	$(GO) test -tags e2e -count=1 -v ./e2e/

# The container image (images/README.md): dist/hwagent-image.tar, an OCI
# image layout holding one image index with an image per platform, byte for
# byte the same for the same commit (the creation time is the commit's,
# builds are -trimpath with fixed GOAMD64/GOARM64, the layout tar is
# written in a fixed order with fixed owners and times). No Docker engine.
DIST ?= dist
PLATFORMS ?= linux/amd64 linux/arm64
VERSION ?= $(shell git describe --tags --always --dirty)
REVISION ?= $(shell git rev-parse HEAD)
CREATED ?= $(shell git log -1 --format=%cI)
SOURCE ?= https://github.com/hwagent/hwagent
# SPDX identifier of LICENSE.
LICENSES ?= Apache-2.0
IMAGE ?= hwagent/hwagent:$(VERSION)
LDFLAGS = -s -w -X github.com/hwagent/hwagent/internal/version.Version=$(VERSION)

.PHONY: image
image:
	@mkdir -p $(DIST)
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%%/*}; arch=$${p#*/}; \
		echo "go build $$os/$$arch"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch GOAMD64=v1 GOARM64=v8.0 GOFLAGS= \
			$(GO) build -tags noserver -trimpath -buildvcs=true -ldflags "$(LDFLAGS)" \
			-o $(DIST)/hwagent-$$os-$$arch ./cmd/hwagent; \
	done
	$(GO) run ./images/ocibuild \
		$(foreach p,$(PLATFORMS),--binary $(p)=$(DIST)/hwagent-$(subst /,-,$(p))) \
		--version "$(VERSION)" --revision "$(REVISION)" --created "$(CREATED)" \
		--source "$(SOURCE)" --licenses "$(LICENSES)" --tag "$(IMAGE)" \
		--out $(DIST)/hwagent-image.tar
