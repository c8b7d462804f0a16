#!/bin/bash
# test-collector-openapi.sh — the REST API's OpenAPI 3.1 description (docs/api/openapi.yaml):
# the document passes an OpenAPI validator from the npm registry (@seriousme/openapi-schema-validator,
# installed by deploy/dev/install-deps.sh), the collector serves it at GET /api/v1/openapi.json
# (bearer token, like the other read routes), and live answers of a real collector (batches,
# events, alerts, hosts, filters, enrollment, health, metrics, refusals) match the document's
# statuses, media types and schemas (openapi_live.py, python3-jsonschema, JSON Schema 2020-12).
. "$(dirname "$0")/lib.sh"
DOC=$ROOT/docs/api/openapi.yaml
VALIDATE=${WFPW_NPM_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/wfpwatch/npm}/node_modules/.bin/validate-api

check "the OpenAPI validator is installed (deploy/dev/install-deps.sh)" test -x "$VALIDATE"
"$VALIDATE" "$DOC" >"$T/validate.out" 2>&1
eq "docs/api/openapi.yaml is a valid OpenAPI 3.1 document (validate-api)" "$?" 0
grep -q '"valid": true' "$T/validate.out" || cat "$T/validate.out"
# the validator itself refuses a broken document (it is not a no-op)
sed 's/^openapi: 3.1.0$/openapi: 3.1.0\nwebhooks: 5/' "$DOC" >"$T/broken.yaml"
"$VALIDATE" "$T/broken.yaml" >/dev/null 2>&1
eq "and refuses a broken one" "$?" 1

setup_pki || { bad "pki"; finish; exit 1; }
ET=$("$COLLECTOR" enroll-token create --data "$T/data" --name openapi 2>/dev/null)
for k in k1 k2 k3; do
    openssl ecparam -name prime256v1 -genkey -noout -out "$T/$k.pem" 2>/dev/null
    openssl req -new -key "$T/$k.pem" -subj /CN=ignored -out "$T/$k.csr" 2>/dev/null
done
start_collector || { bad "collector"; finish; exit 1; }
curl -sS -o "$T/served.json" -w '%{http_code} %{content_type}' --cacert "$T/pki/ca.crt" \
    -H "Authorization: Bearer $TOKEN" "$(URL /api/v1/openapi.json)" >"$T/served.status"
eq "GET /api/v1/openapi.json: 200 application/json" "$(cat "$T/served.status")" "200 application/json"
WFPW_PORT=$PORT WFPW_CA=$T/pki/ca.crt WFPW_TOKEN=$TOKEN WFPW_CERT=$T/pki/agents/agent-1.crt \
    WFPW_KEY=$T/pki/agents/agent-1.key WFPW_GOLDEN=$ROOT/tests/data/proto/golden/all.json WFPW_SERVED=$T/served.json \
    WFPW_ENROLL_TOKEN=$ET WFPW_KEYS=$T WFPW_TMP=$T \
    /usr/bin/python3 "$ROOT/tests/integration/openapi_live.py" "$DOC" >"$T/live.out" 2>&1
cat "$T/live.out"
line=$(tail -n1 "$T/live.out")
if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    PASS=$((PASS + BASH_REMATCH[1])); FAIL=$((FAIL + BASH_REMATCH[2]))
    [[ ${BASH_REMATCH[1]} -ge 30 ]] || bad "openapi_live.py checked only ${BASH_REMATCH[1]} answers"
else
    bad "openapi_live.py did not finish"
fi
stop_collector
finish
