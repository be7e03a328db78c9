#!/usr/bin/env bash
# Run Debian bookworm's arm64 Node.js under qemu-user, so the cross-compiled
# linux-arm64 prebuild can be loaded by a real arm64 Node on this x86-64 box.
#
#   test/consumer/arm64-node.sh [node args...]
#
# Arguments, stdin/stdout/stderr, the exit code and the working directory go
# straight through to the arm64 `node`. The first call builds a private
# sysroot from Debian's arm64 .debs (downloaded and unpacked with `dpkg -x`,
# never installed, so the host's own amd64 node is left alone); later calls
# reuse it. Cache folder: $ARM64_NODE_ROOT (default /tmp/softmax-simd-arm64-node).
#
# Limits: the guest is Node 18 (Debian's), and without binfmt_misc an arm64
# child process (e.g. spawning process.execPath) cannot be started.
set -euo pipefail

root="${ARM64_NODE_ROOT:-/tmp/softmax-simd-arm64-node}"
sysroot="$root/sysroot"
stamp="$root/ready" # written last, so a half-built sysroot is never reused

# -L: the guest's absolute paths (ld.so, /usr/lib/..., /usr/share/nodejs)
# resolve inside the sysroot first. -E/-U change only the guest's environment,
# never the host's: the arm64 lib dirs go on its LD_LIBRARY_PATH, and a host
# LD_PRELOAD (amd64) is dropped, as arm64 ld.so could only warn about it.
arm64_node=(qemu-aarch64 -L "$sysroot"
  -E "LD_LIBRARY_PATH=$sysroot/usr/lib/aarch64-linux-gnu:$sysroot/lib/aarch64-linux-gnu"
  -U LD_PRELOAD
  "$sysroot/usr/bin/node")

# Exactly what Debian's nodejs needs at run time, from `apt-cache depends` and
# the NEEDED entries (readelf -d) of node and libnode.so.108, followed through:
pkgs=(
  nodejs:arm64        # /usr/bin/node, a small launcher (NEEDED libnode.so.108, libc)
  libnode108:arm64    # libnode.so.108: the runtime itself
  libc6:arm64         # libc, libm, ld-linux-aarch64.so.1
  libgcc-s1:arm64     # libgcc_s.so.1 (for libstdc++ and libicu)
  libstdc++6:arm64    # libstdc++.so.6
  libuv1:arm64        # libuv.so.1
  libicu72:arm64      # libicui18n, libicuuc, libicudata .so.72
  libssl3:arm64       # libssl.so.3, libcrypto.so.3
  zlib1g:arm64        # libz.so.1
  libbrotli1:arm64    # libbrotlidec, libbrotlienc (+ libbrotlicommon)
  libc-ares2:arm64    # libcares.so.2
  libnghttp2-14:arm64 # libnghttp2.so.14
  # Debian builds node with these JS builtins "externalized": it reads them
  # from /usr/share/nodejs at start-up and aborts if any is missing.
  node-acorn            # acorn + acorn-walk
  node-cjs-module-lexer # ESM import of CommonJS
  node-undici           # fetch (self-contained bundle: its busboy dep is unused)
)

# Only the root-only steps (dpkg --add-architecture, apt-get update/install)
# need privileges; try sudo when not root.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Candidate version of a package, empty if apt's lists don't have it.
candidate() {
  apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' || true
}

# apt-get update only if apt doesn't know the package yet (fresh machine, or
# arm64 just added): one update serves both the arm64 lists and qemu-user.
ensure_lists() {
  if [ -z "$(candidate "$1")" ]; then as_root apt-get update -qq; fi
}

# qemu-user is installed by CI; install it here too so the script stands alone.
if ! command -v qemu-aarch64 >/dev/null; then
  echo "arm64-node: installing qemu-user" >&2
  ensure_lists qemu-user
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends qemu-user >/dev/null
fi

prepare() {
  # Let apt see arm64 packages. This only adds package lists: amd64 installs
  # keep working, and no arm64 package is ever installed.
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    as_root dpkg --add-architecture arm64
  fi
  # (inlined ensure_lists: each apt-cache call costs about a second here)
  local version
  version="$(candidate nodejs:arm64)"
  if [ -z "$version" ]; then
    as_root apt-get update -qq
    version="$(candidate nodejs:arm64)"
  fi
  if [ -z "$version" ]; then
    echo "arm64-node: apt knows no nodejs:arm64 package" >&2
    return 1
  fi
  echo "arm64-node: preparing Debian's arm64 nodejs ${version} in $root" >&2

  # Download next to the sysroot, then move it into place only once complete.
  local tmp="$root/tmp"
  rm -rf "$tmp" "$sysroot" "$stamp"
  mkdir -p "$tmp/debs" "$tmp/sysroot"
  # apt-get download writes into the current folder; as root apt would drop
  # to the _apt user and warn that it can't write here, so keep it root.
  # Lists older than the mirror's files give 404s: then update once and retry.
  download() {
    (cd "$tmp/debs" && apt-get download -qq -o APT::Sandbox::User=root "${pkgs[@]}")
  }
  if ! download 2>/dev/null; then
    as_root apt-get update -qq
    download
  fi
  local deb
  for deb in "$tmp"/debs/*.deb; do
    dpkg -x "$deb" "$tmp/sysroot"
  done
  mv "$tmp/sysroot" "$sysroot"
  rm -rf "$tmp"

  # Fail now (and don't mark ready) if the sysroot can't start node.
  if ! "${arm64_node[@]}" -e 0; then
    echo "arm64-node: the arm64 node in $sysroot does not start" >&2
    return 1
  fi
  echo "$version" >"$stamp"
}

if [ ! -f "$stamp" ]; then
  mkdir -p "$root"
  # Several callers at once (parallel test files) build the sysroot once.
  exec 9>"$root/lock"
  flock 9
  # (an if, not `||`: set -e must stay in force inside prepare)
  if [ ! -f "$stamp" ]; then prepare; fi
  exec 9>&-
fi

# exec, so the exit code and signals are node's own.
exec "${arm64_node[@]}" "$@"
