#!/bin/bash
# test-msi.sh — the agent's MSI (deploy/windows/build-msi.sh, wixl): its tables say what the
# package does (program under Program Files, the service as LocalSystem with automatic start
# and its arguments, stop/remove on uninstall, COLLECTOR_URL into the policy key,
# CA_FINGERPRINT and ENROLL_TOKEN (hidden) too, restore-system before the program goes, major
# upgrades, the callout driver of this build registered by the agent after its service is
# installed and removed after it stopped; none with WFPW_DRIVER_DIR=none); then Wine's msiexec installs it with
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
check "tables: the built callout driver goes under Program Files\\wfpwatch\\driver, in the main feature" sh -c \
    "msiinfo export '$T/a.msi' File | grep -q '^DriverSys	Driver	wfpw_drv\.sys	' &&
     msiinfo export '$T/a.msi' Directory | grep -q 'DRIVERDIR	INSTALLDIR	driver' &&
     msiinfo export '$T/a.msi' FeatureComponents | grep -q '^Main	Driver'"
check "tables: it is the .sys of this build" sh -c "[ \$(msiinfo export '$T/a.msi' File | awk -F'\t' '\$1==\"DriverSys\"{print \$4}') -eq \$(stat -c %s '$ROOT/build/win64/agent/driver/wfpw_drv.sys') ]"
msiinfo export "$T/a.msi" CustomAction | tr -d '\r' >"$T/ca"
msiinfo export "$T/a.msi" InstallExecuteSequence | tr -d '\r' >"$T/seq"
check "tables: the agent registers and starts the driver (deferred, as SYSTEM, failure ignored: 3154)" \
    grep -q '^DriverInstall	3154	AgentExe	driver install --sys "\[#DriverSys\]"' "$T/ca"
check "tables: and removes it on uninstall" grep -q '^DriverRemove	3154	AgentExe	driver uninstall' "$T/ca"
seqof() { awk -F'\t' -v a="$1" '$1==a{print $3}' "$T/seq"; }
check "tables: driver registered after the agent service (5800) and before it starts (5900), not on removal" sh -c \
    "[ $(seqof DriverInstall) -gt $(seqof InstallServices) ] && [ $(seqof DriverInstall) -lt $(seqof StartServices) ] &&
     grep -q '^DriverInstall	NOT REMOVE=\"ALL\"	' '$T/seq'"
check "tables: driver removed after the agent service stopped (it holds the device), before services and files go" sh -c \
    "[ $(seqof DriverRemove) -gt $(seqof StopServices) ] && [ $(seqof DriverRemove) -lt $(seqof DeleteServices) ] &&
     grep -q '^DriverRemove	REMOVE=\"ALL\" AND NOT UPGRADINGPRODUCTCODE	' '$T/seq'"
WFPW_DRIVER_DIR=none "$ROOT/deploy/windows/build-msi.sh" "$T/n.msi" 0.2.0 >/dev/null 2>&1
eq "build with WFPW_DRIVER_DIR=none: exits 0" "$?" 0
check "tables: then no driver file and no driver action" sh -c \
    "! msiinfo export '$T/n.msi' File | grep -q wfpw_drv && ! msiinfo export '$T/n.msi' CustomAction | grep -q Driver"
mkdir -p "$T/drv"
for f in sys cat; do echo "stand-in $f" >"$T/drv/wfpw_drv.$f"; done
WFPW_DRIVER_DIR="$T/drv" "$ROOT/deploy/windows/build-msi.sh" "$T/d.msi" 0.2.0 >/dev/null 2>&1
eq "build with WFPW_DRIVER_DIR (a signed package): exits 0" "$?" 0
check "tables: its .sys and .cat both go in" sh -c "[ \$(msiinfo export '$T/d.msi' File | grep -c '	Driver	wfpw_drv\.\(sys\|cat\)') -eq 2 ]"
rm "$T/drv/wfpw_drv.sys"
WFPW_DRIVER_DIR="$T/drv" "$ROOT/deploy/windows/build-msi.sh" "$T/e.msi" 0.2.0 >"$T/e.out" 2>&1
eq "build with a driver directory without the .sys: exits 1" "$?" 1
check "  naming the missing file" grep -q "$T/drv has no wfpw_drv.sys" "$T/e.out"
check "tables: restore-system runs on uninstall, after the service is gone, before the program" \
    sh -c "msiinfo export '$T/a.msi' InstallExecuteSequence | grep -q '^RestoreSystem	REMOVE=\"ALL\" AND NOT UPGRADINGPRODUCTCODE	3400'"
check "tables: major upgrades (same upgrade code, older versions replaced)" \
    sh -c "msiinfo export '$T/a.msi' Upgrade | grep -q '{7D1C9A52-4B1E-4F7A-9A0E-3C2F6D8B5E41}		0.2.0		1		WIX_UPGRADE_DETECTED'"

wine_up
trap '"$WINE" msiexec /x "Z:$T/b.msi" /qn >/dev/null 2>&1; "$WINE" msiexec /x "Z:$T/a.msi" /qn >/dev/null 2>&1; /usr/lib/wine/wineserver -k; cleanup' EXIT
"$WINE" "$EXE" service uninstall >/dev/null 2>&1   # a leftover of an interrupted run
rm -rf "$WINEPREFIX/drive_c/ProgramData/wfpwatch"
# (test-driver-wine.sh removes its stand-in fwpkclnt.sys; without it the driver registers but
# cannot start here, the way an unsigned one does on a host without test signing)
rm -f "$WINEPREFIX/drive_c/windows/system32/drivers/fwpkclnt.sys" "$WINEPREFIX/drive_c/windows/system32/drivers/wfpw_drv.sys"
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
"$WINE" "$PF/wfpwatch-agent.exe" driver status | tr -d '\r' >"$T/ds"
check "Wine: the driver is registered as kernel service wfpwatch, demand start" sh -c \
    "grep -qx 'type: kernel driver' '$T/ds' && grep -qx 'start: demand' '$T/ds'"
check "Wine: for the installed .sys" grep -qi '^command: .*Program Files.wfpwatch.driver.wfpw_drv\.sys$' "$T/ds"
check "Wine: the .sys is installed" test -f "$PF/driver/wfpw_drv.sys"
check "Wine: the agent service runs" wait_until 30 sh -c "'$WINE' '$PF/wfpwatch-agent.exe' service status | tr -d '\r' | grep -qx 'state: running'"
timeout 120 "$WINE" "$PF/wfpwatch-agent.exe" driver uninstall 2>&1 | tr -d '\r' >"$T/du"
eq "Wine: driver uninstall by hand: the agent service stopped first, the driver removed, the agent started again" \
    "$(grep -o 'service wfpwatch-agent stopped\|removed driver service wfpwatch\|service wfpwatch-agent running again' "$T/du" | tr '\n' '/')" \
    "service wfpwatch-agent stopped/removed driver service wfpwatch/service wfpwatch-agent running again/"
timeout 120 "$WINE" "$PF/wfpwatch-agent.exe" driver install 2>&1 | tr -d '\r' >"$T/di"
check "Wine: driver install by hand: registered again for the .sys beside the program" \
    grep -qi 'registered driver service wfpwatch: .*Program Files.wfpwatch.driver.wfpw_drv\.sys' "$T/di"
check "Wine: a driver that does not start is said so (exit 1 with the reason)" grep -q 'registered but did not start: StartService failed: error' "$T/di"
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
timeout 180 "$WINE" msiexec /i "Z:$T/b.msi" /qn >"$T/up.out" 2>&1
eq "Wine: the upgrade installs (exit 0)" "$?" 0
tr -d '\r' <"$T/up.out" >"$T/up.txt"
# Windows Installer sets UPGRADINGPRODUCTCODE in the old product's removal, so DriverRemove does
# not run there and the new DriverInstall re-points the service ("updated"); Wine's msiexec
# does not set it (observed), so here the old removal deletes it and the new install registers
# it again. Either way the driver service is there afterwards, for the new image.
check "Wine: after the upgrade the driver service is registered for the installed image" sh -c \
    "grep -Eq '(updated|registered) driver service wfpwatch: .*wfpw_drv\.sys' '$T/up.txt' &&
     '$WINE' '$PF/wfpwatch-agent.exe' driver status | tr -d '\r' | grep -qx 'type: kernel driver'"
check "Wine: the agent id survives the upgrade" grep -q 3f0c1d2e-upgrade-keeps-me "$PD/agent_id"
eq "Wine: still one service" "$("$WINE" "$PF/wfpwatch-agent.exe" service status | tr -d '\r' | grep -c '^state:')" 1

timeout 60 "$WINE" "$PF/wfpwatch-agent.exe" service stop >/dev/null 2>&1
timeout 180 "$WINE" msiexec /x "Z:$T/b.msi" /qn
eq "Wine: msiexec /x exits 0" "$?" 0
check "Wine: the program is gone" sh -c "! test -e '$PF/wfpwatch-agent.exe'"
eq "Wine: the service is gone" "$("$WINE" "$EXE" service status | tr -d '\r' | head -n1)" "state: not installed"
eq "Wine: the driver service is gone" "$("$WINE" "$EXE" driver status | tr -d '\r' | head -n1)" "state: not installed"
check "Wine: the driver's file is gone" sh -c "! test -e '$PF/driver/wfpw_drv.sys'"
check "Wine: the policy value is gone" sh -c "! '$WINE' reg query 'HKLM\\SOFTWARE\\Policies\\wfpwatch\\Agent' /v collector.url >/dev/null 2>&1"
check "Wine: the agent's own state stays (identity kept for a reinstall)" grep -q 3f0c1d2e-upgrade-keeps-me "$PD/agent_id"
rm -rf "$PD"
finish
