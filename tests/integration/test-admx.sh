#!/bin/bash
# test-admx.sh — the Group Policy templates (deploy/windows/admx): well-formed with the
# structure Group Policy expects, every policy writing a value the agent reads with the agent's
# ranges and choices (admx_check.py against `wfpwatch-agent config-help`); then, under Wine, a
# registry file setting every policy is imported and the Windows agent's check-config shows
# each value in force — the keys the templates write are exactly the ones the agent reads.
. "$(dirname "$0")/lib.sh"
AGENT=$BUILD/agent/wfpwatch-agent
ADMX=$ROOT/deploy/windows/admx

"$AGENT" config-help >"$T/help.txt"
/usr/bin/python3 "$ROOT/tests/integration/admx_check.py" "$ADMX/wfpwatch.admx" "$ADMX/en-US/wfpwatch.adml" "$T/help.txt" \
    --reg "$T/policy.reg" >"$T/check.out" 2>&1
rc=$?
eq "templates: structure and keys check out" "$rc" 0
[[ $rc -eq 0 ]] || cat "$T/check.out"
check "templates: every policy checked" grep -q '^admx_check: 14 policies' "$T/check.out"
# the check itself catches what it is there for
sed 's/valueName="batch.max_events"/valueName="batch.max_evnets"/' "$ADMX/wfpwatch.admx" >"$T/typo.admx"
/usr/bin/python3 "$ROOT/tests/integration/admx_check.py" "$T/typo.admx" "$ADMX/en-US/wfpwatch.adml" "$T/help.txt" >"$T/typo.out" 2>&1
eq "templates: a value the agent does not read is caught (exit 1)" "$?" 1
check "templates: naming it" grep -q 'batch.max_evnets is not a key the agent reads' "$T/typo.out"
sed 's/maxValue="10000"/maxValue="20000"/' "$ADMX/wfpwatch.admx" >"$T/range.admx"
/usr/bin/python3 "$ROOT/tests/integration/admx_check.py" "$T/range.admx" "$ADMX/en-US/wfpwatch.adml" "$T/help.txt" >"$T/range.out" 2>&1
check "templates: a range wider than the agent's is caught" grep -q "range 1..20000, the agent's is 1..10000" "$T/range.out"

EXE=$ROOT/build/win64/agent/wfpwatch-agent.exe
WINE=/usr/lib/wine/wine64
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} WINEDEBUG=-all
if [[ -x $WINE && -f $EXE ]]; then
    cat >"$T/a.json" <<JSON
{ "agent_id": "agent-1", "data_dir": "Z:$T/data",
  "collector": { "url": "https://file.example:1", "ca": "Z:$T/ca.crt", "cert": "Z:$T/c.crt", "key": "Z:$T/c.key" },
  "sources": [ { "type": "replay", "path": "Z:$T" } ] }
JSON
    wine_up
    trap '/usr/lib/wine/wineserver -k; cleanup' EXIT
    "$WINE" reg delete 'HKLM\Software\Policies\wfpwatch\Agent' /f >/dev/null 2>&1
    "$WINE" reg import "Z:$T/policy.reg" >/dev/null 2>&1
    eq "Wine: the policy file imports" "$?" 0
    # stdout alone is the JSON: anything Wine or the agent says on stderr is kept apart (and
    # shown when the comparison fails) so that it cannot make the document unreadable
    "$WINE" "$EXE" check-config --config "Z:$T/a.json" 2>"$T/effective.err" | tr -d '\r' >"$T/effective.json"
    eq "Wine: check-config with the policies exits 0" "${PIPESTATUS[0]}" 0
    /usr/bin/python3 - "$T/effective.json" "$T/check.out" >"$T/compare.out" <<'PY'
import json, sys
eff = json.load(open(sys.argv[1]))
bad = 0
for line in open(sys.argv[2]):
    if "=" not in line or line.startswith("admx_check"):
        continue
    key, want = line.rstrip("\n").split("=", 1)
    parts = key.split(".")
    if parts[0] == "sources":   # the list of types, or sources.TYPE.KEY of that type's source
        srcs = eff["sources"]
        node = [s["type"] for s in srcs] if len(parts) == 1 else \
            next((s for s in srcs if s["type"] == parts[1]), {}).get(parts[2], "(no %s source)" % parts[1])
    else:
        node = eff
        for part in parts:
            node = node[part]
    got = ",".join(node) if isinstance(node, list) else str(node)
    if got != want:
        print("%s: %r in force, %r set by policy" % (key, got, want))
        bad += 1
print("%d mismatches" % bad)
PY
    check "Wine: every policy value is in force (check-config)" grep -qx '0 mismatches' "$T/compare.out"
    if [[ $(tail -n1 "$T/compare.out") != "0 mismatches" ]]; then
        cat "$T/compare.out"
        echo "--- check-config stdout:"; head -c 4000 "$T/effective.json"
        echo "--- check-config stderr:"; head -c 4000 "$T/effective.err"
    fi
    "$WINE" reg delete 'HKLM\Software\Policies\wfpwatch\Agent' /f >/dev/null 2>&1
    "$WINE" "$EXE" check-config --config "Z:$T/a.json" 2>&1 | tr -d '\r' >"$T/after.json"
    check "Wine: without the policies the file's values hold" grep -q '"url":.*"https://file.example:1"' "$T/after.json"
else
    bad "Wine: wine64 or the Windows build is missing (tests/run.sh builds it before this suite)"
fi
finish
