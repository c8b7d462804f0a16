#!/usr/bin/env bash
# build-msi.sh — the agent's MSI with wixl (Debian package wixl): deploy/windows/wfpwatch.wxs,
# the cross-built wfpwatch-agent.exe and the starting configuration deploy/windows/agent.json.
#   usage: build-msi.sh [OUT.msi] [VERSION]   (defaults: build/win64/wfpwatch-agent.msi, the agent's version)
# The callout driver goes under Program Files\wfpwatch\driver and is registered and started by
# the agent's `driver install` (driver.wxs): by default the wfpw_drv.sys of the cross build
# (build/win64/agent/driver, unsigned: docs/driver.md, signing); WFPW_DRIVER_DIR=DIR takes
# DIR/wfpw_drv.sys and, when present, DIR/wfpw_drv.cat (a signed package); WFPW_DRIVER_DIR=none
# builds without the driver.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build/win64/wfpwatch-agent.msi}
exe=${WFPW_AGENT_EXE:-$root/build/win64/agent/wfpwatch-agent.exe}
version=${2:-$(sed -n 's/^#define WFPW_AGENT_VERSION "\(.*\)"/\1/p' "$root/agent/src/service/agent.h")}
[[ -f $exe ]] || { echo "build-msi: $exe is missing (build the Windows agent first: tests/run.sh or docs/building.md)" >&2; exit 1; }
command -v wixl >/dev/null || { echo "build-msi: wixl is missing (apt-get install wixl)" >&2; exit 1; }
# wixl takes sources relative to the .wxs: stage them together
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$root/deploy/windows/wfpwatch.wxs" "$root/deploy/windows/agent.json" "$stage/"
cp "$exe" "$stage/wfpwatch-agent.exe"
inputs=(wfpwatch.wxs driver.wxs)
drvdir=${WFPW_DRIVER_DIR:-$root/build/win64/agent/driver}
catalog=0 with_driver=0
if [[ $drvdir == none ]]; then
    cat >"$stage/driver.wxs" <<'WXS'
<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi"><Fragment><ComponentGroup Id="DriverFiles" /></Fragment></Wix>
WXS
else
    [[ -f $drvdir/wfpw_drv.sys ]] || { echo "build-msi: $drvdir has no wfpw_drv.sys (build the Windows tree first, or WFPW_DRIVER_DIR=none)" >&2; exit 1; }
    cp "$drvdir/wfpw_drv.sys" "$stage/"
    if [[ -f $drvdir/wfpw_drv.cat ]]; then cp "$drvdir/wfpw_drv.cat" "$stage/"; catalog=1; fi
    cp "$root/deploy/windows/driver.wxs" "$stage/"
    with_driver=1
fi
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
# (wixl warns about attributes it does not model; errors still fail the build)
(cd "$stage" && wixl -a x64 -D Version="$version" -D WithCatalog=$catalog -D WithDriver=$with_driver -o "$out" "${inputs[@]}" 2>&1 | grep -v 'GLib-GObject-WARNING\|^$' >&2 || true)
[[ -s $out ]] || { echo "build-msi: wixl did not write $out" >&2; exit 1; }
echo "$out"
