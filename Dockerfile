# syntax=docker/dockerfile:1
#
# shipgate container images.
#
#   docker build -t shipgate .                 # default: a static binary on distroless, non-root
#   docker build --target shell -t shipgate:shell .   # with a shell, for GitLab's Docker executor
#
# Both run as a non-root user and carry CA certificates (for tracker APIs over HTTPS).
# The default image's entrypoint is shipgate. On a bind mount, run it as your own user so that
# `--report-dir` can be written (the image's user owns nothing in your checkout):
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" -w /work shipgate \
#     check --policy shipgate.yaml --report-dir shipgate-report
#
# Base images, and until when they get security fixes (move on before then):
#   alpine 3.23           until 2027-11 (the `shell` image, the GitLab component's default)
#   distroless static-debian13   Debian 13 "trixie", supported until 2028-08 (LTS 2030-06)

ARG RUST_VERSION=1
ARG ALPINE_VERSION=3.23

# ---- build: a static musl binary -------------------------------------------------------------
FROM rust:${RUST_VERSION}-alpine${ALPINE_VERSION} AS build
# Unpinned on purpose: Alpine drops superseded package versions, and these should take security
# fixes. The build itself is pinned by Cargo.lock.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
# On Alpine the host target is musl, and Rust links musl binaries statically.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin shipgate \
    && cp target/release/shipgate /usr/local/bin/shipgate \
    && /usr/local/bin/shipgate --version

# ---- shell: for CI executors that need a shell (GitLab's Docker executor) -------------------
FROM alpine:${ALPINE_VERSION} AS shell
# CA certificates must follow Alpine's security updates, so they are not pinned.
# hadolint ignore=DL3018
RUN apk add --no-cache ca-certificates \
    && adduser -D -H -u 10001 shipgate
COPY --from=build /usr/local/bin/shipgate /usr/local/bin/shipgate
USER 10001:10001
WORKDIR /work
CMD ["shipgate", "--help"]

# ---- runtime (default): nothing but the binary, CA certificates and a non-root user ----------
FROM gcr.io/distroless/static-debian13:nonroot AS runtime
COPY --from=build /usr/local/bin/shipgate /usr/local/bin/shipgate
# distroless's `nonroot` user, numerically so any runtime can resolve it.
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/shipgate"]
CMD ["--help"]
