#!/usr/bin/env bash
# wine-init.sh — prepares the Wine prefix that runs the Windows .exe tests (idempotent).
#
# Debian's wine64 installs its loader at /usr/lib/wine/wine64 (not on PATH). The prefix
# lives outside the checkout (WINEPREFIX, default ~/.cache/wfpwatch/wineprefix); Mono and
# Gecko are not wanted (console programs only), so their install prompts are disabled.
set -euo pipefail
wine=$(command -v wine64 || true)
[[ -n "$wine" ]] || wine=/usr/lib/wine/wine64
[[ -x "$wine" ]] || { echo "wine-init: wine64 not installed (run deploy/dev/install-deps.sh)" >&2; exit 1; }
export WINEPREFIX="${WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/wfpwatch/wineprefix}"
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if [[ -f "$WINEPREFIX/system.reg" ]]; then
    echo "wine-init: prefix ready at $WINEPREFIX"
    exit 0
fi
mkdir -p "$(dirname "$WINEPREFIX")"
echo "wine-init: creating $WINEPREFIX"
"$wine" wineboot --init </dev/null
"$(dirname "$wine")/wineserver" -w 2>/dev/null || true   # wait until the prefix is written
[[ -f "$WINEPREFIX/system.reg" ]] || { echo "wine-init: wineboot did not create the prefix" >&2; exit 1; }
echo "wine-init: prefix ready at $WINEPREFIX"
