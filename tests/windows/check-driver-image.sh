#!/bin/bash
# check-driver-image.sh — the callout driver image as Windows requires a kernel module to be:
# native subsystem, imports only from kernel modules (ntoskrnl.exe, HAL.dll, fwpkclnt.sys,
# NETIO.SYS), no section both writable and executable (HVCI refuses those; "Driver compatibility
# with Device Guard"), NX-compatible. Reads the PE headers with mingw's objdump on the host.
set -u
sys=$1
od=${OBJDUMP:-x86_64-w64-mingw32-objdump}
fail=0
bad() { echo "FAIL: $*"; fail=1; }
head=$("$od" -p "$sys") || { echo "FAIL: $od cannot read $sys"; exit 1; }
grep -Eq '^Subsystem[[:space:]]+00000001' <<<"$head" || bad "subsystem is not native (1)"
dlls=$(grep -E 'DLL Name:' <<<"$head" | awk '{print tolower($3)}' | sort -u)
for d in $dlls; do
    case $d in ntoskrnl.exe|hal.dll|fwpkclnt.sys|netio.sys) ;; *) bad "imports from $d" ;; esac
done
grep -qx 'ntoskrnl.exe' <<<"$dlls" || bad "does not import ntoskrnl.exe"
chars=$(awk '/^DllCharacteristics/{print $2}' <<<"$head")
(( (16#${chars:-0} & 0x100) != 0 )) || bad "not NX-compatible (DllCharacteristics $chars)"
# objdump -h: flags line after each section; CODE without READONLY is writable code
"$od" -h "$sys" | awk 'NR>5 && /^ *[0-9]+ /{name=$2; getline; if ($0 ~ /CODE/ && $0 !~ /READONLY/) print name}' >/tmp/wx.$$
[[ -s /tmp/wx.$$ ]] && bad "writable and executable section(s): $(tr '\n' ' ' </tmp/wx.$$)"
rm -f /tmp/wx.$$
[[ $fail -eq 0 ]] && echo "ok: $(basename "$sys"): native, imports $(echo $dlls | tr ' ' ','), no W+X section, NX"
exit $fail
