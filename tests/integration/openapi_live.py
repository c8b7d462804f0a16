#!/usr/bin/python3
"""openapi_live.py DOC.yaml — live answers of a running collector checked against the OpenAPI
document (docs/api/openapi.yaml): for each request below, the answer's status must be one the
document lists for that operation (or its components/responses for unknown paths and methods),
its Content-Type one the document gives for that status, and its body must validate against
that schema with JSON Schema 2020-12 (python3-jsonschema; NDJSON: each line against the media
type's x-line-schema). Prints "ok - ..." / "FAIL - ..." lines and "N passed, N failed".

Environment: WFPW_PORT, WFPW_CA, WFPW_TOKEN, WFPW_CERT, WFPW_KEY (agent-1), WFPW_GOLDEN (a batch
with filter changes), WFPW_SERVED (the document as GET /api/v1/openapi.json answered it)."""
import http.client
import json
import os
import re
import ssl
import sys
import uuid

import jsonschema
import yaml

doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
port = int(os.environ["WFPW_PORT"])
token = os.environ["WFPW_TOKEN"]
passed = failed = 0
answered = set()   # (template, method) that answered 2xx and matched


def result(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print("ok - " + what)
    else:
        failed += 1
        print("FAIL - " + what)


def ctx(cert=False):
    c = ssl.create_default_context(cafile=os.environ["WFPW_CA"])
    if cert:
        c.load_cert_chain(os.environ["WFPW_CERT"], os.environ["WFPW_KEY"])
    return c


def request(method, path, body=None, headers=None, cert=False):
    h = http.client.HTTPSConnection("localhost", port, context=ctx(cert), timeout=10)
    h.request(method, path, body=body, headers=headers or {})
    r = h.getresponse()
    data = r.read()
    ctype = r.getheader("Content-Type", "")
    h.close()
    return r.status, ctype, data


def template_of(path):
    """The document's path template that matches a concrete path."""
    path = path.split("?", 1)[0]
    for t in doc["paths"]:
        rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(t)) + "$"
        if re.match(rx, path):
            return t
    return None


def deref(obj):
    while isinstance(obj, dict) and "$ref" in obj:
        ptr = obj["$ref"]
        assert ptr.startswith("#/"), ptr
        obj = doc
        for part in ptr[2:].split("/"):
            obj = obj[part]
    return obj


def validate(instance, schema):
    resolver = jsonschema.RefResolver.from_schema(doc)
    jsonschema.Draft202012Validator(schema, resolver=resolver).validate(instance)


def check(name, method, path, status, ctype, data, want_status=None):
    """Validate one live answer against the document."""
    if want_status is not None and status != want_status:
        result(False, "%s: %s %s answered %d, this test expects %d (%s)" % (name, method, path, status, want_status,
                                                                           data[:200]))
        return
    t = template_of(path)
    op = doc["paths"].get(t, {}).get(method.lower()) if t else None
    resp = None
    if op is not None:
        resp = op["responses"].get(str(status))
    if resp is None:
        generic = {404: "NotFound", 405: "MethodNotAllowed"}.get(status)
        if generic and (op is None or status == 405):
            resp = doc["components"]["responses"][generic]
    if resp is None:
        result(False, "%s: %s %s -> %d is not in the document" % (name, method, path, status))
        return
    resp = deref(resp)
    content = resp.get("content", {})
    media = None
    for mt, m in content.items():
        if ctype.replace(" ", "").lower() == mt.replace(" ", "").lower() or ctype.split(";")[0].strip() == mt:
            media = m
            break
    if media is None:
        result(False, "%s: %s %s -> %d: Content-Type %r not documented (%s)" % (name, method, path, status, ctype,
                                                                               ", ".join(content)))
        return
    try:
        if ctype.startswith("application/json"):
            validate(json.loads(data), media["schema"])
        elif ctype.startswith("application/x-ndjson"):
            lines = [l for l in data.decode().split("\n") if l]
            for line in lines:
                validate(json.loads(line), media["x-line-schema"])
        else:
            if "schema" in media:
                validate(data.decode(), media["schema"])
    except (jsonschema.ValidationError, ValueError, KeyError) as e:
        result(False, "%s: %s %s -> %d: body does not match the document: %s" % (name, method, path, status,
                                                                                  str(e).split("\n")[0][:300]))
        return
    if 200 <= status < 300:
        answered.add((t, method.lower()))
    result(True, "%s: %s %s -> %d %s matches the document" % (name, method, path, status, ctype.split(";")[0]))


auth = {"Authorization": "Bearer " + token}
jsonh = {"Content-Type": "application/json"}

# the served document is this document
served = json.load(open(os.environ["WFPW_SERVED"]))
result(served == doc, "GET /api/v1/openapi.json serves docs/api/openapi.yaml, as JSON")

golden = open(os.environ["WFPW_GOLDEN"], "rb").read()
for name, method, path, body, headers, cert, want in [
    ("batch stored", "POST", "/api/v1/batches", golden, jsonh, True, 200),
    ("batch again: duplicate", "POST", "/api/v1/batches", golden, jsonh, True, 200),
    ("batch not JSON", "POST", "/api/v1/batches", b"{\"batch_id\":", jsonh, True, 400),
    ("batch wrong media type", "POST", "/api/v1/batches", golden, {"Content-Type": "text/plain"}, True, 415),
    ("batch without a certificate", "POST", "/api/v1/batches", golden, jsonh, False, 401),
    ("batch with GET", "GET", "/api/v1/batches", None, {}, True, 405),
    ("events", "GET", "/api/v1/events?limit=5", None, auth, False, 200),
    ("events filtered", "GET", "/api/v1/events?limit=5&type=filter_added&host=agent-1", None, auth, False, 200),
    ("events by time", "GET", "/api/v1/events?since=2025-01-01T00:00:00Z&until=2099-01-01T00:00:00Z", None, auth,
     False, 200),
    ("events NDJSON", "GET", "/api/v1/events?limit=5", None, dict(auth, Accept="application/x-ndjson"), False, 200),
    ("events bad limit", "GET", "/api/v1/events?limit=0", None, auth, False, 400),
    ("events unknown parameter", "GET", "/api/v1/events?bogus=1", None, auth, False, 400),
    ("events without a token", "GET", "/api/v1/events", None, {}, False, 401),
    ("events wrong token", "GET", "/api/v1/events", None, {"Authorization": "Bearer nope"}, False, 401),
    ("events with POST", "POST", "/api/v1/events", None, auth, False, 405),
    ("alerts", "GET", "/api/v1/alerts?limit=5", None, auth, False, 200),
    ("alerts NDJSON", "GET", "/api/v1/alerts", None, dict(auth, Accept="application/x-ndjson"), False, 200),
    ("hosts", "GET", "/api/v1/hosts", None, auth, False, 200),
    ("hosts with a parameter it does not take", "GET", "/api/v1/hosts?host=agent-1", None, auth, False, 400),
    ("events with a type too long", "GET", "/api/v1/events?type=" + "t" * 64, None, auth, False, 400),
    ("filters", "GET", "/api/v1/hosts/agent-1/filters", None, auth, False, 200),
    ("filters of an unknown host", "GET", "/api/v1/hosts/nobody/filters", None, auth, False, 404),
    ("healthz", "GET", "/healthz", None, {}, False, 200),
    ("metrics", "GET", "/metrics", None, {}, False, 200),
    ("ca", "GET", "/api/v1/ca", None, {}, False, 200),
    ("enroll not JSON", "POST", "/api/v1/enroll", b"nope", jsonh, False, 400),
    ("enroll unknown token", "POST", "/api/v1/enroll",
     json.dumps({"token": "x" * 43, "agent_id": str(uuid.uuid4()), "csr": "-----BEGIN CERTIFICATE REQUEST-----\n"
                 "-----END CERTIFICATE REQUEST-----\n"}).encode(), jsonh, False, None),
    ("renew without a certificate", "POST", "/api/v1/renew", b"{}", jsonh, False, 401),
    ("openapi", "GET", "/api/v1/openapi.json", None, auth, False, 200),
    ("openapi without a token", "GET", "/api/v1/openapi.json", None, {}, False, 401),
    ("unknown path", "GET", "/api/v2/events", None, auth, False, 404),
]:
    try:
        status, ctype, data = request(method, path, body, headers, cert)
    except (OSError, http.client.HTTPException) as e:
        result(False, "%s: %s %s: %s" % (name, method, path, e))
        continue
    check(name, method, path, status, ctype, data, want)

# enrollment and renewal: issued (200), a second key for the same agent id (409), renewal with
# the issued certificate (200)
keys = os.environ["WFPW_KEYS"]
agent = str(uuid.uuid4())
def enroll_body(k):
    return json.dumps({"token": os.environ["WFPW_ENROLL_TOKEN"], "agent_id": agent, "hostname": "WS-OPENAPI",
                       "csr": open("%s/%s.csr" % (keys, k)).read()}).encode()
status, ctype, data = request("POST", "/api/v1/enroll", enroll_body("k1"), jsonh)
check("enroll", "POST", "/api/v1/enroll", status, ctype, data, 200)
status2, ctype2, data2 = request("POST", "/api/v1/enroll", enroll_body("k2"), jsonh)
check("enroll a second key for the agent id", "POST", "/api/v1/enroll", status2, ctype2, data2, 409)
if status == 200:
    crt = os.path.join(os.environ["WFPW_TMP"], "issued.crt")
    with open(crt, "w") as f:
        f.write(json.loads(data)["certificate"])
    os.environ["WFPW_CERT"], os.environ["WFPW_KEY"] = crt, "%s/k1.pem" % keys
    body = json.dumps({"csr": open("%s/k3.csr" % keys).read()}).encode()
    status, ctype, data = request("POST", "/api/v1/renew", body, jsonh, cert=True)
    check("renew", "POST", "/api/v1/renew", status, ctype, data, 200)

# every operation of the document answered at least once with a 2xx above
for t, ops in doc["paths"].items():
    for m in ops:
        if m in ("get", "post", "put", "delete", "patch"):
            result((t, m) in answered, "operation %s %s answered with a documented success" % (m.upper(), t))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
