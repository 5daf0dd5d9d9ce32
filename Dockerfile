# syntax=docker/dockerfile:1
# PiCloud in a container: build the single binary with Bun, ship it alone on a
# small glibc base. Multi-arch: `docker buildx build --platform linux/amd64,linux/arm64 .`
# Each platform's build stage runs natively (or under buildx's emulation), so
# the binary is compiled for the stage's own architecture — no cross download.

ARG BUN_VERSION=1.4.5

FROM oven/bun:${BUN_VERSION} AS build
ARG TARGETARCH
WORKDIR /src
COPY package.json bun.lock bunfig.toml tsconfig.json ./
RUN bun install --frozen-lockfile
COPY . .
# The dashboard (vite build + the generated asset module) is embedded when present.
RUN if [ -f dashboard/package.json ]; then bun run build:dashboard; fi
RUN case "${TARGETARCH:-amd64}" in \
      amd64) arch=x64 ;; \
      arm64) arch=arm64 ;; \
      *) echo "unsupported architecture: ${TARGETARCH}" >&2; exit 1 ;; \
    esac \
 && bun scripts/build.ts --target "$arch" \
 && install -D -m 0755 "dist/picloud-linux-$arch" /out/picloud

FROM debian:bookworm-slim
# ca-certificates: scripts' outbound fetch() to https sites verifies against the system store too.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 picloud \
 && useradd --system --uid 10001 --gid picloud --home-dir /data --shell /usr/sbin/nologin picloud \
 && mkdir -p /data \
 && chown picloud:picloud /data \
 && chmod 0700 /data
COPY --from=build /out/picloud /usr/local/bin/picloud

# PICLOUD_URL: the CLI inside the container (`docker exec … picloud apps ls`) talks to this server.
ENV PICLOUD_DATA_DIR=/data \
    PICLOUD_HOST=0.0.0.0 \
    PORT=8080 \
    PICLOUD_URL=http://127.0.0.1:8080 \
    XDG_CONFIG_HOME=/data/.config

USER picloud
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080

# No curl in the image: the binary checks its own /version.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["picloud", "version", "--server", "-o", "tsv"]

ENTRYPOINT ["picloud"]
CMD ["serve"]
