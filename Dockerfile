# syntax=docker/dockerfile:1
# hwagent container image: a static binary FROM scratch with CA certificates
# and pci.ids. Build with
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t hwagent/hwagent .
# `make image` builds the same image for linux/amd64 and linux/arm64 without
# a Docker engine, reproducibly, as an OCI layout tarball (images/README.md).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# -tags noserver: the image is the agent; the reference server (SQLite,
# PostgreSQL, Prometheus) runs on the admin host from the full build.
RUN CGO_ENABLED=0 go build -tags noserver -trimpath \
      -ldflags "-s -w -X github.com/hwagent/hwagent/internal/version.Version=${VERSION}" \
      -o /out/hwagent ./cmd/hwagent

FROM debian:bookworm-slim AS assets
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates pci.ids \
 && rm -rf /var/lib/apt/lists/*

FROM scratch
ARG VERSION=dev
ARG REVISION=
ARG CREATED=
LABEL org.opencontainers.image.title="hwagent" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="https://github.com/hwagent/hwagent" \
      org.opencontainers.image.licenses="NOASSERTION" \
      org.opencontainers.image.description="Hardware discovery agent for bare-metal provisioning"
COPY --from=assets /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=assets /usr/share/misc/pci.ids /usr/share/hwdata/pci.ids
COPY --from=build /out/hwagent /hwagent
ENTRYPOINT ["/hwagent"]
CMD ["run"]
