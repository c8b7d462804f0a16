#!/usr/bin/env bash
# build-msi.sh — the agent's MSI with wixl (Debian package wixl): deploy/windows/wfpwatch.wxs,
# the cross-built wfpwatch-agent.exe and the starting configuration deploy/windows/agent.json.
#   usage: build-msi.sh [OUT.msi] [VERSION]   (defaults: build/win64/wfpwatch-agent.msi, the agent's version)
# With WFPW_DRIVER_DIR holding a built, signed driver package (wfpw_drv.sys, .inf, .cat: made
# with the WDK on Windows, docs/driver.md) the package goes under Program Files\wfpwatch\driver.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build/win64/wfpwatch-agent.msi}
exe=${WFPW_AGENT_EXE:-$root/build/win64/agent/wfpwatch-agent.exe}
version=${2:-$(sed -n 's/^#define WFPW_AGENT_VERSION "\(.*\)"/\1/p' "$root/agent/src/core/agent.h")}
[[ -f $exe ]] || { echo "build-msi: $exe is missing (build the Windows agent first: tests/run.sh or docs/building.md)" >&2; exit 1; }
command -v wixl >/dev/null || { echo "build-msi: wixl is missing (apt-get install wixl)" >&2; exit 1; }
# wixl takes sources relative to the .wxs: stage them together
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$root/deploy/windows/wfpwatch.wxs" "$root/deploy/windows/agent.json" "$stage/"
cp "$exe" "$stage/wfpwatch-agent.exe"
inputs=(wfpwatch.wxs driver.wxs)
if [[ -z ${WFPW_DRIVER_DIR:-} ]]; then
    cat >"$stage/driver.wxs" <<'WXS'
<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi"><Fragment><ComponentGroup Id="DriverFiles" /></Fragment></Wix>
WXS
else
    for f in wfpw_drv.sys wfpw_drv.inf wfpw_drv.cat; do
        [[ -f $WFPW_DRIVER_DIR/$f ]] || { echo "build-msi: WFPW_DRIVER_DIR has no $f" >&2; exit 1; }
        cp "$WFPW_DRIVER_DIR/$f" "$stage/"
    done
    cp "$root/deploy/windows/driver.wxs" "$stage/"
fi
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
# (wixl warns about attributes it does not model; errors still fail the build)
(cd "$stage" && wixl -a x64 -D Version="$version" -o "$out" "${inputs[@]}" 2>&1 | grep -v 'GLib-GObject-WARNING\|^$' >&2 || true)
[[ -s $out ]] || { echo "build-msi: wixl did not write $out" >&2; exit 1; }
echo "$out"
