#!/bin/bash
# test-msi.sh — the agent's MSI (deploy/windows/build-msi.sh, wixl): its tables say what the
# package does (program under Program Files, the service as LocalSystem with automatic start
# and its arguments, stop/remove on uninstall, COLLECTOR_URL into the policy key,
# CA_FINGERPRINT and ENROLL_TOKEN (hidden) too, restore-system before the program goes, major
# upgrades, the driver package only when one is given); then Wine's msiexec installs it with
# the properties /qn (the service starts), upgrades it in place keeping the agent's state,
# and uninstalls it cleanly.
. "$(dirname "$0")/lib.sh"
EXE=$ROOT/build/win64/agent/wfpwatch-agent.exe
WINE=/usr/lib/wine/wine64
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} WINEDEBUG=-all
if [[ ! -f $EXE || ! -x $WINE ]] || ! command -v wixl >/dev/null; then
    bad "wixl, wine64 or the Windows build is missing (tests/run.sh installs and builds them)"
    finish; exit 1
fi
"$ROOT/deploy/windows/build-msi.sh" "$T/a.msi" 0.2.0 >"$T/build.out" 2>&1
eq "build: exits 0" "$?" 0
table() { msiinfo export "$T/a.msi" "$1" | tail -n +4 | tr -d '\r'; }
check "tables: the program under Program Files" sh -c "msiinfo export '$T/a.msi' Directory | grep -q 'INSTALLDIR	ProgramFiles64Folder	wfpwatch'"
table ServiceInstall >"$T/si"
check "tables: service wfpwatch-agent, own process (16), automatic (2), LocalSystem" \
    grep -q '^AgentService	wfpwatch-agent	wfpwatch agent	16	2	1			LocalSystem	' "$T/si"
check "tables: it runs service-run with the ProgramData configuration" \
    grep -q 'service-run --config "\[CommonAppDataFolder\]wfpwatch\\agent.json"' "$T/si"
check "tables: started on install, stopped on install and uninstall, removed on uninstall (1+2+32+128)" \
    sh -c "msiinfo export '$T/a.msi' ServiceControl | grep -q '^AgentControl	wfpwatch-agent	163	'"
check "tables: COLLECTOR_URL goes to the policy key the agent reads" \
    sh -c "msiinfo export '$T/a.msi' Registry | grep -q '	2	SOFTWARE\\\\Policies\\\\wfpwatch\\\\Agent	collector.url	\[COLLECTOR_URL\]	Policy'"
check "tables: CA_FINGERPRINT and ENROLL_TOKEN go there too" sh -c \
    "msiinfo export '$T/a.msi' Registry | grep -q 'collector.ca_fingerprint	\[CA_FINGERPRINT\]	Policy' &&
     msiinfo export '$T/a.msi' Registry | grep -q 'collector.enroll_token	\[ENROLL_TOKEN\]	Policy'"
check "tables: the token is hidden from msiexec logs" \
    sh -c "msiinfo export '$T/a.msi' Property | grep -q '^MsiHiddenProperties	ENROLL_TOKEN'"
check "tables: no driver files without a driver package" sh -c "! msiinfo export '$T/a.msi' File | grep -q wfpw_drv"
mkdir -p "$T/drv"
for f in sys inf cat; do echo "stand-in $f" >"$T/drv/wfpw_drv.$f"; done
WFPW_DRIVER_DIR="$T/drv" "$ROOT/deploy/windows/build-msi.sh" "$T/d.msi" 0.2.0 >/dev/null 2>&1
eq "build with WFPW_DRIVER_DIR: exits 0" "$?" 0
check "tables: then the .sys, .inf and .cat go under Program Files\\wfpwatch\\driver, in the main feature" sh -c \
    "[ \$(msiinfo export '$T/d.msi' File | grep -c '	Driver	wfpw_drv\.\(sys\|inf\|cat\)') -eq 3 ] &&
     msiinfo export '$T/d.msi' Directory | grep -q 'DRIVERDIR	INSTALLDIR	driver' &&
     msiinfo export '$T/d.msi' FeatureComponents | grep -q '^Main	Driver'"
rm "$T/drv/wfpw_drv.cat"
WFPW_DRIVER_DIR="$T/drv" "$ROOT/deploy/windows/build-msi.sh" "$T/e.msi" 0.2.0 >"$T/e.out" 2>&1
eq "build with an incomplete driver package: exits 1" "$?" 1
check "  naming the missing file" grep -q 'WFPW_DRIVER_DIR has no wfpw_drv.cat' "$T/e.out"
check "tables: restore-system runs on uninstall, after the service is gone, before the program" \
    sh -c "msiinfo export '$T/a.msi' InstallExecuteSequence | grep -q '^RestoreSystem	REMOVE=\"ALL\" AND NOT UPGRADINGPRODUCTCODE	3400'"
check "tables: major upgrades (same upgrade code, older versions replaced)" \
    sh -c "msiinfo export '$T/a.msi' Upgrade | grep -q '{7D1C9A52-4B1E-4F7A-9A0E-3C2F6D8B5E41}		0.2.0		1		WIX_UPGRADE_DETECTED'"

/usr/lib/wine/wineserver -p
trap '"$WINE" msiexec /x "Z:$T/b.msi" /qn >/dev/null 2>&1; "$WINE" msiexec /x "Z:$T/a.msi" /qn >/dev/null 2>&1; /usr/lib/wine/wineserver -k; cleanup' EXIT
"$WINE" "$EXE" service uninstall >/dev/null 2>&1   # a leftover of an interrupted run
rm -rf "$WINEPREFIX/drive_c/ProgramData/wfpwatch"
PF="$WINEPREFIX/drive_c/Program Files/wfpwatch"
PD="$WINEPREFIX/drive_c/ProgramData/wfpwatch"
FP=AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89
timeout 180 "$WINE" msiexec /i "Z:$T/a.msi" COLLECTOR_URL=https://collector.corp.example:8443 CA_FINGERPRINT=$FP \
    ENROLL_TOKEN=wfpe_msi-test-token /qn
eq "Wine: msiexec /i ... /qn exits 0" "$?" 0
check "Wine: the program is installed" test -f "$PF/wfpwatch-agent.exe"
check "Wine: the starting configuration is in ProgramData" test -f "$PD/agent.json"
"$WINE" "$PF/wfpwatch-agent.exe" service status | tr -d '\r' >"$T/st"
check "Wine: the service is registered, automatic, LocalSystem" sh -c "grep -qx 'start: automatic' '$T/st' && grep -qx 'account: LocalSystem' '$T/st'"
check "Wine: COLLECTOR_URL is in the policy key" sh -c "'$WINE' reg query 'HKLM\\SOFTWARE\\Policies\\wfpwatch\\Agent' /v collector.url | grep -q 'https://collector.corp.example:8443'"
"$WINE" "$PF/wfpwatch-agent.exe" check-config --config 'C:\ProgramData\wfpwatch\agent.json' 2>&1 | tr -d '\r' >"$T/cfg"
check "Wine: the agent sees the URL from the MSI over the file's" grep -q '"url":.*"https://collector.corp.example:8443"' "$T/cfg"
check "Wine: and the CA fingerprint" grep -q '"ca_fingerprint":.*"abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"' "$T/cfg"
check "Wine: and an enrollment token (masked)" grep -q '"enroll_token":.*"\*\*\*"' "$T/cfg"

# an upgrade replaces the program in place; the agent's own state (its id) stays
echo 3f0c1d2e-upgrade-keeps-me >"$PD/agent_id"
"$ROOT/deploy/windows/build-msi.sh" "$T/b.msi" 0.2.1 >/dev/null 2>&1
# Wine's msiexec does not wait for a service that takes seconds to stop gracefully (Windows
# Installer waits up to 30 s for Wait="yes"): stop it first here; docs/verification.md
timeout 60 "$WINE" "$PF/wfpwatch-agent.exe" service stop >/dev/null 2>&1
timeout 180 "$WINE" msiexec /i "Z:$T/b.msi" /qn
eq "Wine: the upgrade installs (exit 0)" "$?" 0
check "Wine: the agent id survives the upgrade" grep -q 3f0c1d2e-upgrade-keeps-me "$PD/agent_id"
eq "Wine: still one service" "$("$WINE" "$PF/wfpwatch-agent.exe" service status | tr -d '\r' | grep -c '^state:')" 1

timeout 60 "$WINE" "$PF/wfpwatch-agent.exe" service stop >/dev/null 2>&1
timeout 180 "$WINE" msiexec /x "Z:$T/b.msi" /qn
eq "Wine: msiexec /x exits 0" "$?" 0
check "Wine: the program is gone" sh -c "! test -e '$PF/wfpwatch-agent.exe'"
eq "Wine: the service is gone" "$("$WINE" "$EXE" service status | tr -d '\r' | head -n1)" "state: not installed"
check "Wine: the policy value is gone" sh -c "! '$WINE' reg query 'HKLM\\SOFTWARE\\Policies\\wfpwatch\\Agent' /v collector.url >/dev/null 2>&1"
check "Wine: the agent's own state stays (identity kept for a reinstall)" grep -q 3f0c1d2e-upgrade-keeps-me "$PD/agent_id"
rm -rf "$PD"
finish
