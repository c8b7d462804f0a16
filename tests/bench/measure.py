#!/usr/bin/python3
"""measure.py [--pid-file F] -- CMD... — run CMD and print what it cost as one JSON line:
CPU seconds (user, system: from wait4's rusage of exactly that child, all its threads, from exec
to exit), peak RSS (ru_maxrss), voluntary and involuntary context switches (how often it waited
in the kernel: a cost that varies with the machine's system-call price),
wall time, and resident-set samples taken every 200 ms from /proc (for the steady-state figure,
which a peak taken during start-up would hide). Used by tests/bench/agent-bench.sh."""
import json, os, subprocess, sys, threading, time


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main():
    argv = sys.argv[1:]
    if argv[:1] != ["--"]:
        sys.exit("usage: measure.py -- CMD...")
    t0 = time.monotonic()
    child = subprocess.Popen(argv[1:], stdout=sys.stderr)  # stdout is this script's one JSON line
    samples, done = [], threading.Event()

    def sample():
        while not done.wait(0.2):
            v = rss_kib(child.pid)
            if v is not None:
                samples.append((round(time.monotonic() - t0, 1), v))

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, status, ru = os.wait4(child.pid, 0)
    wall = time.monotonic() - t0
    done.set()
    th.join()
    print(json.dumps({"exit": os.waitstatus_to_exitcode(status), "user_s": ru.ru_utime, "sys_s": ru.ru_stime,
                      "cpu_s": ru.ru_utime + ru.ru_stime, "peak_rss_kib": ru.ru_maxrss,
                      "vcsw": ru.ru_nvcsw, "ivcsw": ru.ru_nivcsw, "wall_s": round(wall, 3),
                      "rss_samples_kib": samples}))


if __name__ == "__main__":
    main()
