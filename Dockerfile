# syntax=docker/dockerfile:1
# The Tether broker: a static, pure-Go binary (no cgo) on a distroless
# image. The apps are not built here: see `make package`.
#
#   docker build -t tether-broker .
#   docker run -d --name tether -p 8443:8443 -v tether-data:/data \
#     -e TETHER_PUBLIC_URL=https://help.example.com:8443 tether-broker
#   docker exec -i tether tether-broker owner create --data /data --email you@example.com

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/tether-broker ./broker
# An empty /data owned by the runtime user: a new named volume copies it.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tether-broker /usr/local/bin/tether-broker
COPY --from=build --chown=65532:65532 /out/data /data
ENV TETHER_DATA=/data \
    TETHER_ADDR=:8443
USER 65532:65532
WORKDIR /
VOLUME /data
# HTTPS API; embedded TURN relay (with TETHER_TURN_LISTEN=:3478) and its
# relay ports (TETHER_TURN_PORTS); metrics only if TETHER_METRICS_ADDR is set.
EXPOSE 8443/tcp 3478/udp 3478/tcp 49160-49200/udp
# `health` asks https://127.0.0.1:8443/healthz (http with
# TETHER_INSECURE_HTTP=1): distroless has no curl.
HEALTHCHECK --interval=30s --timeout=10s --start-period=15s --retries=3 \
    CMD ["/usr/local/bin/tether-broker", "health"]
ENTRYPOINT ["/usr/local/bin/tether-broker"]
CMD ["serve"]
