#!/usr/bin/env bash
# build-packages.sh — the one command that produces what gets installed, into build/packages:
#   wfpwatch-collector_VERSION_amd64.deb   the collector for Debian (release build, CPack:
#                                          cmake/WfpwDeb.cmake); install: apt install ./FILE.deb
#   wfpwatch-agent-VERSION.msi             the agent for Windows (mingw-w64 cross build of the
#                                          same sources, deploy/windows/build-msi.sh)
# usage: deploy/build-packages.sh [--deb|--msi] [OUTDIR]   (default: both, build/packages)
# Needs the build dependencies (deploy/dev/install-deps.sh); the Windows libraries are built
# from Debian's source packages by deploy/windows/build-deps.sh (cached after the first run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
want=both
case "${1:-}" in --deb) want=deb; shift ;; --msi) want=msi; shift ;; -*) echo "usage: $0 [--deb|--msi] [OUTDIR]" >&2; exit 2 ;; esac
out=${1:-$root/build/packages}
mkdir -p "$out"
out=$(cd "$out" && pwd)
jobs=${WFPW_JOBS:-$(nproc 2>/dev/null || echo 2)}

if [[ $want != msi ]]; then
    command -v dpkg-shlibdeps >/dev/null || { echo "build-packages: dpkg-shlibdeps is missing (apt-get install dpkg-dev)" >&2; exit 1; }
    cmake -S "$root" -B "$root/build/release" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$root/build/release" -j "$jobs" --target wfpwatch-collector >/dev/null
    (cd "$root/build/release" && cpack -G DEB -B "$out/.cpack" >/dev/null)
    deb=$(ls -t "$out"/.cpack/wfpwatch-collector_*.deb | head -n1)
    mv -f "$deb" "$out/"
    rm -rf "$out/.cpack"
    echo "$out/$(basename "$deb")"
fi

if [[ $want != deb ]]; then
    export WINEPREFIX=${WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/wfpwatch/wineprefix}
    prefix=$("$root/deploy/windows/build-deps.sh" | tail -n1)
    cmake -S "$root" -B "$root/build/win64" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64.cmake" -DWFPW_WIN_DEPS="$prefix" >/dev/null
    cmake --build "$root/build/win64" -j "$jobs" --target wfpwatch-agent wfpw_drv >/dev/null
    version=$(sed -n 's/^#define WFPW_AGENT_VERSION "\(.*\)"/\1/p' "$root/agent/src/service/agent.h")
    "$root/deploy/windows/build-msi.sh" "$out/wfpwatch-agent-$version.msi" >/dev/null
    echo "$out/wfpwatch-agent-$version.msi"
fi
