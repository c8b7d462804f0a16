#!/usr/bin/env bash
# detect-bench.sh — analyse a generated 10,000-filter netsh dump, and diff two such dumps
# (--baseline), with the release agent; reports wall time (best of 5) and peak RSS.
# Targets (issue #5): under 0.5 s each, peak RSS under 64 MiB. Benchmark, not a test.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${WFPW_BUILD:-$root/build/release}
N=${N:-10000}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target wfpwatch-agent >/dev/null
t=$(mktemp -d /tmp/wfpw-dbench.XXXXXX)
trap 'rm -rf "$t"' EXIT
/usr/bin/python3 "$root/tests/bench/gen-netsh.py" "$N" "$t/a.xml"
/usr/bin/python3 "$root/tests/bench/gen-netsh.py" "$N" "$t/b.xml" --changes 200 --seed 7
echo "# $(date -u +%FT%TZ) $(nproc) cores; dumps: $(du -h "$t/a.xml" | cut -f1) each, $N filters"
/usr/bin/python3 - "$build/agent/wfpwatch-agent" "$t/a.xml" "$t/b.xml" <<'PY'
import resource, subprocess, sys, time
agent, a, b = sys.argv[1:4]
def run(label, args):
    best, rss, out = 1e9, 0, ""
    for _ in range(5):
        t0 = time.perf_counter()
        p = subprocess.run([agent, "analyze", "--format", "json"] + args, capture_output=True, text=True)
        best = min(best, time.perf_counter() - t0)
        out = p.stdout
        if p.returncode not in (0, 3):
            raise SystemExit(p.stderr)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    import json
    s = json.loads(out)["summary"]
    print("%-10s best %.3f s  peak RSS %.1f MiB  filters %d  %s" % (label, best, rss, s["filters"],
          {k: s[k] for k in ("critical", "high", "medium", "low", "added", "removed", "changed") if k in s}))
run("analyze", ["--filters", a])
run("diff", ["--filters", b, "--baseline", a])
PY
