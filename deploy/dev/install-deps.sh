#!/usr/bin/env bash
# install-deps.sh — installs every Debian package wfpwatch needs to build, test and run.
#
# Idempotent: it asks dpkg which packages are missing and calls apt-get only for those,
# running `apt-get update` once first. Packages only from Debian's archive (nothing else
# is downloaded; test tools come pinned from the npm registry). Must run as root (or with sudo available) on Debian 12.
#
# Usage: deploy/dev/install-deps.sh [--runtime-only]
#   --runtime-only   only what the native collector and agent need (no cross tools, no Wine)
set -euo pipefail

runtime_pkgs=(
    build-essential cmake pkg-config ca-certificates
    libuv1-dev libcurl4-openssl-dev libmbedtls-dev libcjson-dev libexpat1-dev
    libsqlite3-dev zlib1g-dev node-llhttp libpq-dev
    curl openssl
    python3 python3-yaml                # build: docs/api/openapi.yaml -> the JSON the collector serves
)
test_pkgs=(
    clang libclang-rt-14-dev            # libFuzzer drivers, sanitizers
    mingw-w64 libz-mingw-w64-dev        # Windows cross build
    wine64                              # runs the .exe tests
    dpkg-dev                            # apt-get source (Windows dependency build)
    python3 python3-jsonschema          # JSON Schema conformance check in tests
    jq                                  # a second strict JSON parser for what the collector serves
    systemd                             # systemd-analyze checks the collector's unit (deploy/linux)
    wixl msitools                       # the agent's MSI is built and its tables read (deploy/windows)
    postgresql                          # the PostgreSQL store: tests run a throw-away cluster
    iproute2 util-linux                 # ip and unshare: routes in a network namespace of a test's own
)

pkgs=("${runtime_pkgs[@]}")
if [[ "${1:-}" != "--runtime-only" ]]; then
    pkgs+=("${test_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
# npm comes with Node.js on some machines (NodeSource's nodejs); Debian's npm only when absent
if [[ "${1:-}" != "--runtime-only" ]] && ! command -v npm >/dev/null; then
    missing+=(npm)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#pkgs[@]} packages present"
else
    SUDO=""
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
        SUDO="sudo"
    fi
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    echo "install-deps: done"
fi

# Test tools from the npm registry, pinned, into a cache outside the repository:
# the OpenAPI 3.1 validator tests/integration/test-collector-openapi.sh runs on docs/api/openapi.yaml.
if [[ "${1:-}" != "--runtime-only" ]]; then
    npm_dir=${WFPW_NPM_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/wfpwatch/npm}
    npm_pkgs=("@seriousme/openapi-schema-validator@2.11.0")
    if [[ ! -f "$npm_dir/.installed" || "$(cat "$npm_dir/.installed")" != "${npm_pkgs[*]}" ]]; then
        echo "install-deps: npm install ${npm_pkgs[*]} into $npm_dir"
        mkdir -p "$npm_dir"
        [[ -f "$npm_dir/package.json" ]] || echo '{"private": true}' >"$npm_dir/package.json"
        npm install --prefix "$npm_dir" --no-audit --no-fund --silent "${npm_pkgs[@]}" >/dev/null
        echo "${npm_pkgs[*]}" >"$npm_dir/.installed"
    fi
fi
