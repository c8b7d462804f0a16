#!/usr/bin/env bash
# check-imports.sh — an .exe built for Windows may import only Windows system DLLs: every
# third-party library (libuv, mbedTLS, curl, cJSON, expat, zlib, libgcc) must be linked
# statically. Usage: check-imports.sh FILE.exe...   Prints the imports; exits 1 on a stranger.
set -euo pipefail
system_dlls='^(kernel32|advapi32|ws2_32|bcrypt|crypt32|user32|iphlpapi|userenv|psapi|dbghelp|ole32|shell32|msvcrt|ntdll|secur32|wevtapi|fwpuclnt|rpcrt4|shlwapi|normaliz|wldap32|version|api-ms-win-.*)\.dll$'
rc=0
for exe in "$@"; do
    dlls=$(x86_64-w64-mingw32-objdump -p "$exe" | awk '/DLL Name:/ {print tolower($3)}' | sort -u)
    [[ -n "$dlls" ]] || { echo "$exe: no import table found"; rc=1; continue; }
    for d in $dlls; do
        if [[ "$d" =~ $system_dlls ]]; then
            echo "$exe: $d (system)"
        else
            echo "$exe: $d NOT A WINDOWS SYSTEM DLL"
            rc=1
        fi
    done
done
exit $rc
