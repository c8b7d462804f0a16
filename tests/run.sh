#!/usr/bin/env bash
# run.sh — installs what is missing, builds everything, runs every test, and ends with
# "N passed, N failed" (exit status non-zero on any failure).
#
# Suites, each counted test by test:
#   native   ctest in build/native (ASan + UBSan): unit tests, corpus replays, schema
#            conformance, smoke tests
#   tsan     the driver ring's multi-producer stress test built with ThreadSanitizer
#   windows  ctest in build/win64: the same portable unit tests as .exe files under Wine,
#            the agent .exe, and the static-import check
#   fuzz     libFuzzer drivers (clang), each for a bounded time (WFPW_FUZZ_SECONDS, 20)
#   integration  tests/integration/test-*.sh against real binaries (each check counted); the
#            agent's end-to-end tests again with the agent on curl + mbedTLS (build/curl-mbedtls)
#   conformance  the same code against third-party captures in ../shared/samples: ctest -L
#            conformance in build/native (and build/win64 when built), then
#            tests/integration/conformance-*.sh. Only when ../shared/samples exists beside
#            the repository; otherwise one line says it was not run, counted neither way.
#            The native and windows suites leave these tests out (ctest -LE conformance).
#
# Env: WFPW_SKIP_WINDOWS=1 / WFPW_SKIP_FUZZ=1 skip a suite (counted as failed: a skipped
# suite is not a green run), WFPW_JOBS (default: nproc).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${WFPW_JOBS:-$(nproc 2>/dev/null || echo 2)}
fuzz_seconds=${WFPW_FUZZ_SECONDS:-20}
logdir="$root/build/logs"
total_pass=0
total_fail=0
failures=()
native_built=0 win_built=0   # the conformance suite runs in the builds this run made

say() { printf '\n=== %s\n' "$*"; }
count() {  # suite passed failed
    total_pass=$((total_pass + $2))
    total_fail=$((total_fail + $3))
    [[ $3 -eq 0 ]] || failures+=("$1: $3 failed")
    echo "--- $1: $2 passed, $3 failed"
}
# ctest's own summary line -> count; a ctest that printed no summary is one failure
run_ctest() {  # suite builddir [ctest args...]
    local suite=$1 dir=$2 out="$logdir/${1// /-}.ctest.log" line
    shift 2
    (cd "$dir" && ctest -j "$jobs" --output-on-failure "$@") >"$out" 2>&1
    line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$out" | tail -n1)
    if [[ -z "$line" ]]; then
        tail -n 30 "$out"
        count "$1" 0 1
        return
    fi
    local failed total
    failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    [[ "$failed" -eq 0 ]] || grep -E '(Failed|\*\*\*|assertion|FAIL|ERROR|MISSING)' "$out" | head -n 40
    count "$suite" $((total - failed)) "$failed"
}
# each script ends with its own "N passed, N failed": its checks count one by one; a script
# that fails without that line counts as one failure
run_scripts() {  # suite script...
    local suite=$1 t name rc line p f ip=0 if_=0
    shift
    for t in "$@"; do
        [[ -e "$t" ]] || continue
        name=$(basename "$t" .sh)${WFPW_STORE:+-$WFPW_STORE}${WFPW_LOG_SUFFIX:-}
        # a Wine server the previous script left (it exits a few seconds after its last
        # client) is gone before the next script's first Wine command
        [[ -x /usr/lib/wine/wineserver ]] && WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} \
            timeout 30 /usr/lib/wine/wineserver -w 2>/dev/null
        timeout 900 bash "$t" >"$logdir/$name.log" 2>&1
        rc=$?
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logdir/$name.log" | tail -n1)
        if [[ -n "$line" ]]; then
            p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
            [[ $rc -ne 0 && $f -eq 0 ]] && f=1   # exited non-zero after its summary
        else
            p=0; f=1
        fi
        ip=$((ip + p)); if_=$((if_ + f))
        if [[ $f -eq 0 ]]; then
            echo "ok $name ($p checks)"
        else
            echo "FAIL $name ($line, exit $rc)"; grep -E '^FAIL' "$logdir/$name.log" | head -n 20; tail -n 15 "$logdir/$name.log"
        fi
    done
    count "$suite" "$ip" "$if_"
}
build_step() {  # suite logname command...
    local suite=$1 name=$2; shift 2
    if ! "$@" >"$logdir/$name.log" 2>&1; then
        tail -n 40 "$logdir/$name.log"
        count "$suite ($name)" 0 1
        return 1
    fi
}

mkdir -p "$logdir"

say "dependencies"
if ! ./deploy/dev/install-deps.sh; then
    echo "install-deps failed"
    echo "0 passed, 1 failed"
    exit 1
fi

# A throw-away PostgreSQL cluster (unix socket in a temporary directory, no TCP port) for the
# store's unit tests and the integration suite on the PostgreSQL store; stopped at the end.
say "PostgreSQL for the tests"
pgdir=$(mktemp -d /tmp/wfpw-pg.XXXXXX)
trap 'tests/integration/pg-cluster.sh stop "$pgdir"' EXIT
if WFPW_PG_DSN=$(tests/integration/pg-cluster.sh start "$pgdir" 2>"$logdir/pg-cluster.log"); then
    export WFPW_PG_DSN
    echo "cluster in $pgdir: $WFPW_PG_DSN"
else
    cat "$logdir/pg-cluster.log"
    count postgres 0 1
fi

say "native build (ASan + UBSan) and tests"
san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
if build_step native configure cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="$san" &&
   build_step native build cmake --build build/native -j "$jobs"; then
    run_ctest native build/native -LE conformance
    native_built=1
fi

say "ThreadSanitizer: the driver ring under concurrent producers"
if build_step tsan configure cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="-fsanitize=thread" &&
   build_step tsan build cmake --build build/tsan -j "$jobs" --target devring-stress; then
    if TSAN_OPTIONS="halt_on_error=1 exitcode=66" build/tsan/tests/devring-stress >"$logdir/tsan.log" 2>&1; then
        tail -n 1 "$logdir/tsan.log"
        count tsan 1 0
    else
        tail -n 30 "$logdir/tsan.log"
        count tsan 0 1
    fi
fi

say "Windows cross build (mingw-w64) and tests under Wine"
if [[ "${WFPW_SKIP_WINDOWS:-0}" == 1 ]]; then
    count windows 0 1
    echo "(skipped by WFPW_SKIP_WINDOWS=1)"
else
    export WINEPREFIX="${WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/wfpwatch/wineprefix}" WINEDEBUG=-all
    if build_step windows deps bash -c './deploy/windows/build-deps.sh >"$0"' "$logdir/win-deps.prefix" &&
       build_step windows configure cmake -S . -B build/win64 -DCMAKE_BUILD_TYPE=Release \
           -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64.cmake" -DWFPW_WIN_DEPS="$(tail -n1 "$logdir/win-deps.prefix")" &&
       build_step windows build cmake --build build/win64 -j "$jobs" &&
       build_step windows wineboot ./deploy/dev/wine-init.sh; then
        run_ctest windows build/win64 -LE conformance
        win_built=1
    fi
fi

say "fuzzing (libFuzzer, ${fuzz_seconds}s per driver)"
if [[ "${WFPW_SKIP_FUZZ:-0}" == 1 ]]; then
    count fuzz 0 1
    echo "(skipped by WFPW_SKIP_FUZZ=1)"
elif build_step fuzz configure env CC=clang cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DWFPW_FUZZ=ON -DWFPW_COLLECTOR=ON -DCMAKE_C_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" &&
     build_step fuzz build cmake --build build/fuzz -j "$jobs"; then
    fp=0 ff=0
    for drv in build/fuzz/tests/fuzz-*; do
        [[ -x "$drv" && "$drv" != *-replay ]] || continue
        name=$(basename "$drv")
        corpus="$root/tests/fuzz/corpus/${name#fuzz-}"
        work=$(mktemp -d)
        # seeds from the repo are read-only inputs; new finds go to a scratch directory
        if "$drv" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
                -artifact_prefix="$logdir/$name-" \
                "$work" "$corpus" >"$logdir/$name.log" 2>&1; then
            fp=$((fp + 1))
            echo "$name: $(grep -E 'stat::number_of_executed_units' "$logdir/$name.log" | awk '{print $2}') runs, no crash"
        else
            ff=$((ff + 1))
            tail -n 30 "$logdir/$name.log"
        fi
        rm -rf "$work"
    done
    [[ $((fp + ff)) -gt 0 ]] || ff=1
    count fuzz "$fp" "$ff"
fi

say "integration tests"
run_scripts integration tests/integration/test-*.sh

# The collector's whole integration suite again on the PostgreSQL store (lib.sh maps each data
# directory to a database of its own), with the agents that ship to it. (test-deploy-linux
# checks the example configuration, which is SQLite's: retention by size.)
say "integration tests on the PostgreSQL store"
if [[ -n ${WFPW_PG_DSN:-} ]]; then
    WFPW_STORE=postgres run_scripts "integration postgres" tests/integration/test-collector-*.sh \
        tests/integration/test-enroll.sh tests/integration/test-agent-e2e.sh tests/integration/test-agent-failover.sh
else
    count "integration postgres" 0 1   # no cluster (see "PostgreSQL for the tests")
fi

# The Linux agent linked as the Windows agent links curl (static, HTTP(S) only, on mbedTLS:
# deploy/windows/build-deps.sh --native), as the agent benchmark builds it: the agent's
# end-to-end and fail-over tests again with that build (ASan + UBSan, like build/native).
say "integration tests: the agent on curl + mbedTLS"
if build_step "integration curl+mbedtls" curl-deps bash -c './deploy/windows/build-deps.sh --native >"$0"' "$logdir/native-curl.prefix" &&
   build_step "integration curl+mbedtls" curl-configure cmake -S . -B build/curl-mbedtls -DCMAKE_BUILD_TYPE=Debug \
       -DCMAKE_C_FLAGS="$san" -DWFPW_CURL_PREFIX="$(tail -n1 "$logdir/native-curl.prefix")" &&
   build_step "integration curl+mbedtls" curl-build cmake --build build/curl-mbedtls -j "$jobs" --target wfpwatch-agent wfpwatch-collector; then
    WFPW_BUILD=$root/build/curl-mbedtls WFPW_LOG_SUFFIX=-curl-mbedtls run_scripts "integration curl+mbedtls" \
        tests/integration/test-agent-e2e.sh \
        tests/integration/test-agent-failover.sh
fi

# Third-party captures live in ../shared, never in the repository: a fresh clone has none,
# and its run is complete without them.
if [[ -d "$root/../shared/samples" ]]; then
    say "conformance: the same code against the third-party captures in ../shared/samples"
    if [[ "$native_built" == 1 ]]; then
        run_ctest "conformance native" build/native -L conformance
    else
        count "conformance native" 0 1   # no native build to run it in (see the native suite)
    fi
    [[ "$win_built" == 1 ]] && run_ctest "conformance windows" build/win64 -L conformance
    run_scripts "conformance integration" tests/integration/conformance-*.sh
else
    printf '\n=== conformance: not run: %s/shared/samples does not exist (the third-party captures it checks against are kept beside the repository, never in it); counted neither passed nor failed\n' "$(cd "$root/.." && pwd)"
fi

say "summary"
for f in "${failures[@]}"; do echo "  $f"; done
echo "logs: $logdir"
echo "$total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 ]]
