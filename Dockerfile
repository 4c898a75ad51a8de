# syntax=docker/dockerfile:1
# One image for every role: `docker run nostpp relay|websocket-handler|event-handler|...`.
# The build stage runs the same scripts as the README quick start and CI, so what CI proves
# is what the image contains.

FROM debian:bookworm AS build
WORKDIR /src
# Dependencies first, so source edits do not re-run apt.
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN ./scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN rm -rf build && ./scripts/build.sh release nostpp && strip build/nostpp

FROM debian:bookworm-slim AS runtime
# Runtime libraries of the binary (see `ldd build/nostpp`) and curl for the health check.
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libspdlog1.10 libfmt9 libtomlplusplus3 liblmdb0 libsimdjson14 libssl3 \
      libsecp256k1-1 libpq5 libhiredis0.14 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 nostpp \
 && useradd --system --uid 10001 --gid nostpp --home-dir /data --shell /usr/sbin/nologin nostpp \
 && mkdir -p /data && chown nostpp:nostpp /data
COPY --from=build /src/build/nostpp /usr/local/bin/nostpp
USER nostpp
WORKDIR /data
ENV DATA_DIR=/data BIND_ADDRESS=0.0.0.0
VOLUME ["/data"]
EXPOSE 8008 8009
# Every role answers GET /health on its own port; PORT is set per role (8008 by default).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${PORT:-8008}/health" >/dev/null || exit 1
ENTRYPOINT ["nostpp"]
CMD ["relay"]
