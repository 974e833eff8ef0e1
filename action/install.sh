#!/usr/bin/env bash
# Installs shipgate for the GitHub Action.
#
# A release binary is used only when its SHA-256 is pinned in action/checksums.txt (committed
# with the action, so a replaced release asset is refused, not trusted). A checksum mismatch
# stops the job. When no pinned binary exists for this runner (unknown OS/arch, a version
# without pinned checksums, a failed download), shipgate is built from the action's own source
# with cargo, the same code the action's ref points at; the action caches that build (keyed by
# the runner and a hash of the source), so only the first run on a runner image compiles.
#
# With SHIPGATE_INSTALL_PLAN=1 it installs nothing and writes to GITHUB_OUTPUT what it would do:
# `method` (`release` or `source`), `root` (the install folder) and, for `source`, `cache-key`.
#
# Environment: SHIPGATE_VERSION (required), GITHUB_ACTION_PATH, RUNNER_OS, RUNNER_ARCH,
# RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT, ImageOS (set by the runner); SHIPGATE_DOWNLOAD_BASE
# and SHIPGATE_CHECKSUMS override the release URL and the checksum file (mirrors, tests).
set -euo pipefail

fail() {
  echo "::error title=shipgate install::$1"
  exit 1
}

version="${SHIPGATE_VERSION:-}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
  fail "version must be a release number such as 0.1.0, got '${version}'"
fi
action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this from the action}"
root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/shipgate-${version}"
base_url="${SHIPGATE_DOWNLOAD_BASE:-https://github.com/shipgate/shipgate/releases/download}"
checksums="${SHIPGATE_CHECKSUMS:-$action_path/action/checksums.txt}"

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

publish() {
  echo "$root/bin" >>"${GITHUB_PATH:-/dev/null}"
  "$root/bin/shipgate" --version
}

# The files cargo builds the binary from, hashed: the cache key of a source build.
source_hash() {
  (
    cd "$action_path"
    find Cargo.toml Cargo.lock src crates -type f \( -name '*.rs' -o -name Cargo.toml -o -name Cargo.lock \) \
      -not -path '*/tests/*' -not -path '*/benches/*' | LC_ALL=C sort | while IFS= read -r f; do
      printf '%s  %s\n' "$(sha256 "$f")" "$f"
    done
  ) | sha256 -
}

pinned_checksum() {
  [ -n "$target" ] && [ -f "$checksums" ] || return 0
  # length() rather than {64}: mawk (Debian's awk) has no interval expressions.
  awk -v a="shipgate-${version}-${target}.tar.gz" '$2 == a && length($1) == 64 && $1 ~ /^[0-9a-f]+$/ { print $1; exit }' "$checksums"
}

if [ "${SHIPGATE_INSTALL_PLAN:-}" = 1 ]; then
  {
    echo "root=$root"
    if [ -n "$(pinned_checksum)" ]; then
      echo "method=release"
    else
      echo "method=source"
      echo "cache-key=shipgate-${version}-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}-${ImageOS:-unknown}-$(source_hash)"
    fi
  } >>"${GITHUB_OUTPUT:-/dev/stdout}"
  exit 0
fi

build_from_source() {
  echo "::notice title=shipgate install::$1; building shipgate ${version} from the action's source with cargo"
  command -v cargo >/dev/null 2>&1 ||
    fail "no verified shipgate binary for this runner and no cargo to build one: add a Rust toolchain step (e.g. dtolnay/rust-toolchain@stable) before this action"
  cargo install --locked --quiet --path "$action_path" --root "$root"
  publish
  exit 0
}

if [ -x "$root/bin/shipgate" ] || [ -x "$root/bin/shipgate.exe" ]; then
  # Earlier in this job, or restored by the action's cache of a source build (keyed by the
  # source's hash, so never a build of other code).
  echo "shipgate ${version} is already installed in $root"
  publish
  exit 0
fi

[ -n "$target" ] || build_from_source "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"
asset="shipgate-${version}-${target}.tar.gz"
expected=$(pinned_checksum)
[ -n "$expected" ] || build_from_source "no pinned checksum for ${asset}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Release tags are the bare version (`0.2.0`), as the GitLab CI/CD catalog requires.
url="${base_url}/${version}/${asset}"
if ! curl -fsSL --retry 3 --retry-delay 2 -o "$tmp/$asset" "$url"; then
  build_from_source "could not download ${url}"
fi
actual=$(sha256 "$tmp/$asset")
if [ "$actual" != "$expected" ]; then
  fail "checksum mismatch for ${asset}: expected ${expected}, got ${actual}. The release asset is not the one this action pins; refusing to run it."
fi
mkdir -p "$root/bin"
tar -xzf "$tmp/$asset" -C "$tmp"
bin=$(find "$tmp" -type f \( -name shipgate -o -name shipgate.exe \) | head -n 1)
[ -n "$bin" ] || fail "${asset} holds no shipgate binary"
cp "$bin" "$root/bin/"
chmod +x "$root/bin/"shipgate*
publish
