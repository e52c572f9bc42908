# Templates, assets and migrations are embedded, and the built CSS and vendored scripts are
# committed, so the image needs only the Go toolchain to build and nothing but the binary to run.
FROM golang:1.26.11 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/cryptodash ./cmd/cryptodash

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cryptodash /cryptodash
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/cryptodash"]
CMD ["serve"]
