#!/usr/bin/env bash
# build-deps.sh — cross-builds the agent's third-party libraries for Windows (x86_64, static).
#
# The sources are Debian's own source packages (`apt-get source`), so the Windows agent is
# built from exactly the upstream code (and Debian patches) that the Linux build links
# against. Nothing is downloaded from anywhere but Debian's archive. Results go to a cache
# prefix outside the checkout and are reused while the source versions and this script are
# unchanged; any change rebuilds everything.
#
# With --native it builds only curl, for Linux, the way the Windows agent links it: static,
# HTTP(S) only, with Debian's mbedTLS as its TLS backend, instead of Debian's libcurl (OpenSSL,
# plus LDAP, GSSAPI, RTMP, SSH, PSL and IDN, with GnuTLS and OpenSSL's libcrypto resident in
# every agent). The agent benchmark builds the agent against it (WFPW_CURL_PREFIX).
#
# Usage: deploy/windows/build-deps.sh [--native] [--prefix DIR]  (prints the prefix on its last line)
# Env:   WFPW_WIN_DEPS   default prefix (default: ${XDG_CACHE_HOME:-~/.cache}/wfpwatch/win64-deps)
#        WFPW_NATIVE_CURL default prefix of --native (default: .../wfpwatch/native-curl)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
native=0
if [[ "${1:-}" == "--native" ]]; then native=1; shift; fi
if [[ $native -eq 1 ]]; then
    prefix="${WFPW_NATIVE_CURL:-${XDG_CACHE_HOME:-$HOME/.cache}/wfpwatch/native-curl}"
else
    prefix="${WFPW_WIN_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/wfpwatch/win64-deps}"
fi
if [[ "${1:-}" == "--prefix" ]]; then prefix="$2"; fi
toolchain="$root/cmake/mingw-w64.cmake"
# source package -> the Debian -dev package the native build links (same upstream code)
srcpkgs=(libuv1 mbedtls curl cjson expat)
[[ $native -eq 0 ]] || srcpkgs=(curl)
declare -A devpkg=([libuv1]=libuv1-dev [mbedtls]=libmbedtls-dev [curl]=libcurl4-openssl-dev
                   [cjson]=libcjson-dev [expat]=libexpat1-dev)
jobs=$(nproc 2>/dev/null || echo 2)

log() { echo "build-deps: $*" >&2; }
die() { echo "build-deps: error: $*" >&2; exit 1; }

command -v dpkg-source >/dev/null || die "dpkg-dev is not installed (run deploy/dev/install-deps.sh)"
if [[ $native -eq 0 ]]; then
    command -v x86_64-w64-mingw32-gcc-win32 >/dev/null || die "mingw-w64 is not installed (run deploy/dev/install-deps.sh)"
    [[ -f /usr/x86_64-w64-mingw32/lib/libz.a ]] || die "libz-mingw-w64-dev is not installed (run deploy/dev/install-deps.sh)"
else
    [[ -f /usr/include/mbedtls/ssl.h ]] || die "libmbedtls-dev is not installed (run deploy/dev/install-deps.sh)"
fi

SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"

# --- 1. make sure apt knows the source packages of the configured suite --------------------
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[[ -n "$suite" ]] || die "cannot tell the Debian suite from /etc/os-release"

have_deb_src() {
    grep -rhsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/ >/dev/null
}
src_versions() {  # every source version apt knows for $1, newest first
    apt-cache showsrc "$1" 2>/dev/null | awk '/^Version:/ {print $2}' | sort -rV | uniq
}
want_version() {  # the version of the native -dev package, else the newest source apt knows
    local v
    v=$(dpkg-query -W -f='${Version}' "${devpkg[$1]}" 2>/dev/null || true)
    [[ -n "$v" ]] || v=$(src_versions "$1" | head -n1)
    echo "$v"
}

if ! have_deb_src; then
    log "adding a deb-src entry for $suite (/etc/apt/sources.list.d/wfpwatch-src.sources)"
    $SUDO tee /etc/apt/sources.list.d/wfpwatch-src.sources >/dev/null <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    $SUDO apt-get update -qq
elif [[ -z "$(src_versions curl)" ]]; then
    $SUDO apt-get update -qq
fi

# --- 2. is the cache current? -----------------------------------------------------------------
# contents only: a checkout in another directory (CI's fresh clone) must reuse the cache
stamp="script=$(cat "$0" "$toolchain" | sha256sum | cut -c1-16) native=$native"
[[ $native -eq 0 ]] || stamp+=" mbedtls-dev=$(dpkg-query -W -f='${Version}' libmbedtls-dev 2>/dev/null || true)"
for p in "${srcpkgs[@]}"; do
    [[ -n "$(src_versions "$p")" ]] || die "apt knows no source package '$p' (deb-src for $suite missing?)"
    v=$(want_version "$p")
    stamp+=" $p=$v"
done
if [[ -f "$prefix/.wfpw-stamp" && "$(cat "$prefix/.wfpw-stamp")" == "$stamp" ]]; then
    log "cache current: $prefix"
    echo "$prefix"
    exit 0
fi

log "building into $prefix ($stamp)"
rm -rf "$prefix"
work="$prefix.work"
rm -rf "$work"
mkdir -p "$work" "$prefix"

# --- 3. fetch and unpack the Debian source packages ------------------------------------------
cd "$work"
# The index can list versions the mirror no longer serves: try the wanted version first,
# then the others apt knows, newest first.
for p in "${srcpkgs[@]}"; do
    fetched=""
    for v in $(want_version "$p") $(src_versions "$p"); do
        if apt-get source -qq "$p=$v" >/dev/null 2>>"$work/$p.fetch.log"; then fetched=$v; break; fi
        rm -rf "$work/$p"-* "$work/${p}_"*
    done
    [[ -n "$fetched" ]] || { cat "$work/$p.fetch.log" >&2; die "apt-get source $p failed for every version"; }
    log "source $p $fetched"
done
srcdir() { find "$work" -maxdepth 1 -mindepth 1 -type d -name "$1-*" | sort | head -n1; }

target_args=(-DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_POSITION_INDEPENDENT_CODE=OFF)
[[ $native -eq 0 ]] || target_args=(-DCMAKE_POSITION_INDEPENDENT_CODE=ON)
cmake_build() {  # name srcdir [cmake args...]; $post_configure (if set) runs after configure
    local name=$1 src=$2; shift 2
    log "building $name"
    cmake -S "$src" -B "$work/build-$name" -G "Unix Makefiles" "${target_args[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_PREFIX_PATH="$prefix" \
        -DBUILD_SHARED_LIBS=OFF "$@" \
        >"$work/$name.configure.log" 2>&1 || { tail -n 40 "$work/$name.configure.log" >&2; die "configure $name failed"; }
    if [[ -n "${post_configure:-}" ]]; then (cd "$work/build-$name" && eval "$post_configure"); fi
    cmake --build "$work/build-$name" -j "$jobs" >"$work/$name.build.log" 2>&1 \
        || { tail -n 40 "$work/$name.build.log" >&2; die "build $name failed"; }
    cmake --install "$work/build-$name" >"$work/$name.install.log" 2>&1 \
        || { tail -n 40 "$work/$name.install.log" >&2; die "install $name failed"; }
}

curl_args=(-DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF -DENABLE_MANUAL=OFF
    -DHTTP_ONLY=ON -DCURL_DISABLE_LDAP=ON -DENABLE_UNIX_SOCKETS=OFF
    -DCURL_USE_MBEDTLS=ON -DCURL_USE_OPENSSL=OFF -DCURL_USE_SCHANNEL=OFF
    -DCURL_ZLIB=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DUSE_NGHTTP2=OFF -DUSE_LIBIDN2=OFF
    -DUSE_WIN32_IDN=OFF -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBPSL=OFF -DCURL_USE_GSSAPI=OFF
    -DENABLE_ARES=OFF -DCURL_CA_BUNDLE=none -DCURL_CA_PATH=none)
if [[ $native -eq 1 ]]; then
    # curl only, on Debian's mbedTLS (shared, found in the system paths)
    cmake_build curl "$(srcdir curl)" "${curl_args[@]}"
    echo "$stamp" >"$prefix/.wfpw-stamp"
    rm -rf "$work"
    log "done: $prefix"
    echo "$prefix"
    exit 0
fi

# libuv: the event loop.
cmake_build libuv "$(srcdir libuv1)" -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF -DBUILD_TESTING=OFF

# mbedTLS: Debian enables pthread threading in its config; the agent drives TLS from one
# loop thread, and mingw's win32 thread model has no pthreads, so threading is switched off.
mbed=$(srcdir mbedtls)
python3 "$mbed/scripts/config.py" -f "$mbed/include/mbedtls/config.h" unset MBEDTLS_THREADING_PTHREAD
python3 "$mbed/scripts/config.py" -f "$mbed/include/mbedtls/config.h" unset MBEDTLS_THREADING_C
cmake_build mbedtls "$mbed" -DENABLE_PROGRAMS=OFF -DENABLE_TESTING=OFF -DMBEDTLS_FATAL_WARNINGS=OFF \
    -DUSE_STATIC_MBEDTLS_LIBRARY=ON -DUSE_SHARED_MBEDTLS_LIBRARY=OFF

# curl: HTTP(S) only, mbedTLS backend, no other optional dependency.
cmake_build curl "$(srcdir curl)" "${curl_args[@]}" \
    -DMBEDTLS_INCLUDE_DIRS="$prefix/include" \
    -DMBEDTLS_LIBRARY="$prefix/lib/libmbedtls.a" \
    -DMBEDX509_LIBRARY="$prefix/lib/libmbedx509.a" \
    -DMBEDCRYPTO_LIBRARY="$prefix/lib/libmbedcrypto.a"

# cJSON: JSON.
cmake_build cjson "$(srcdir cjson)" -DENABLE_CJSON_TEST=OFF -DENABLE_CJSON_UTILS=OFF \
    -DENABLE_CUSTOM_COMPILER_FLAGS=OFF -DBUILD_SHARED_AND_STATIC_LIBS=OFF

# expat: event and netsh XML (the CMake project sits in the expat/ folder of the source).
# Debian builds expat with autotools, whose config defines XML_DTD and XML_NS as 1; Debian's
# security patches test `#if XML_DTD == 1`, so the CMake config gets the same values.
exp=$(srcdir expat)
[[ -f "$exp/CMakeLists.txt" ]] || exp="$exp/expat"
post_configure='sed -i -e "s/^#define XML_DTD\$/#define XML_DTD 1/" -e "s/^#define XML_NS\$/#define XML_NS 1/" expat_config.h'
cmake_build expat "$exp" -DEXPAT_BUILD_TOOLS=OFF -DEXPAT_BUILD_EXAMPLES=OFF \
    -DEXPAT_BUILD_TESTS=OFF -DEXPAT_BUILD_DOCS=OFF -DEXPAT_BUILD_FUZZERS=OFF -DEXPAT_SHARED_LIBS=OFF

post_configure=""

# zlib comes prebuilt from Debian's libz-mingw-w64-dev (/usr/x86_64-w64-mingw32/lib/libz.a).

echo "$stamp" >"$prefix/.wfpw-stamp"
rm -rf "$work"
log "done: $prefix"
echo "$prefix"
