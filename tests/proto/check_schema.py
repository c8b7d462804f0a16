#!/usr/bin/python3
"""check_schema.py — the JSON Schema and the C validator agree.

Every golden batch must validate against proto/schema/wfpwatch-batch-v1.json, and every
case of tests/data/proto/mutations.json must get the same answer from the schema as from
the C validator (test-batch.c applies the same table): accepted when "expect" is "ok",
rejected otherwise, except cases marked "schema": false (rules JSON Schema cannot state).
Prints "N passed, N failed" and exits non-zero on any failure.
"""
import copy
import json
import os
import sys

from jsonschema import Draft202012Validator


def apply(doc, case):
    op = case.get("op")
    if op is None:
        return doc
    *parents, last = case["path"]
    node = doc
    for step in parents:
        node = node[step]
    if op == "delete":
        del node[last]
    else:
        if "repeat" in case:
            ch, n = case["repeat"]
            value = ch * n
        else:
            value = copy.deepcopy(case["value"])
        node[last] = value
    return doc


def main():
    schema_path, data_dir = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    passed = failed = 0

    golden_dir = os.path.join(data_dir, "golden")
    for name in sorted(os.listdir(golden_dir)):
        with open(os.path.join(golden_dir, name), encoding="utf-8") as f:
            doc = json.load(f)
        errors = list(validator.iter_errors(doc))
        if errors:
            failed += 1
            print(f"FAIL golden {name}: {errors[0].message}")
        else:
            passed += 1

    with open(os.path.join(golden_dir, "all.json"), encoding="utf-8") as f:
        base = json.load(f)
    with open(os.path.join(data_dir, "mutations.json"), encoding="utf-8") as f:
        cases = json.load(f)
    for case in cases:
        if case.get("schema") is False:
            continue
        doc = apply(copy.deepcopy(base), case)
        valid = validator.is_valid(doc)
        want_valid = case.get("expect") == "ok"
        if valid == want_valid:
            passed += 1
        else:
            failed += 1
            print(f"FAIL mutation '{case['name']}': schema says {'valid' if valid else 'invalid'}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
