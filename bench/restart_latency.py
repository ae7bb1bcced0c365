#!/usr/bin/python3
"""Restart latency: SIGKILL of a supervised process -> exec of its replacement.

`asgard guard` and supervisord run side by side, each supervising one copy of the stamp program
(bench/c/stamp.c: first thing in main it appends CLOCK_REALTIME ns and its pid to a file, then
pause()s). The bench alternates between the two in random order: it waits a random gap, reads
the clock, SIGKILLs the current pid, and waits for the next stamp line; latency = stamp time -
kill time. Both sides use the immediate-restart path: start_secs: 0 (asgard) and startsecs=0
(supervisord), so no kill ever counts as a failed start (no backoff), plus autorestart; with
--start-secs N > 0 both get N and every kill waits N + 0.3 s of uptime. A third column, the
floor, is bench/c/mini_supervisor.c: signalfd + waitpid + posix_spawn and nothing else, i.e.
what this machine needs at the least (kernel exit, SIGCHLD delivery, spawn, exec).

    /usr/bin/python3 bench/restart_latency.py [--kills 100]
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402


class Probe:
    """One supervised stamp program: follows its stamp file, kills the current pid."""

    def __init__(self, name, stamp_file):
        self.name = name
        self.file = stamp_file
        self.offset = 0
        self.pid = None
        self.latencies = []
        self.slow = []

    def _new_lines(self):
        try:
            with open(self.file) as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return []
        if not data.endswith("\n"):
            data = data[: data.rfind("\n") + 1]
        self.offset += len(data.encode())
        return [line.split() for line in data.splitlines() if line]

    def wait_first(self, timeout=15):
        lines = bl.wait_for(self._new_lines, timeout, 0.005, f"{self.name} first start")
        self.pid = int(lines[-1][1])

    def kill_and_wait(self, timeout=10):
        old = self.pid
        t_kill = time.time_ns()
        os.kill(old, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for ns, pid, *_ in self._new_lines():
                if int(pid) != old:
                    self.pid = int(pid)
                    lat = int(ns) - t_kill
                    self.latencies.append(lat)
                    return lat
            time.sleep(0.0005)
        raise TimeoutError(f"{self.name}: no replacement {timeout}s after killing {old}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--start-secs", type=int, default=0,
                    help="start_secs/startsecs of both (default 0: immediate restart path)")
    ap.add_argument("--only", choices=["asgard", "supervisord", "floor"])
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = ap.parse_args()
    asgard = bl.asgard_binary()
    supervisord = bl.need("supervisord", "supervisor")
    min_gap = args.start_secs + 0.3 if args.start_secs > 0 else 0.02
    max_gap = min_gap + 0.2

    with bl.Bench("restart", keep=args.keep) as b:
        h = b.build_helpers()
        probes = []
        if args.only in (None, "asgard"):
            conf = b.path("asgard", "conf")
            os.makedirs(conf)
            out = b.path("asgard", "probe")
            with open(os.path.join(conf, "app.yaml"), "w") as f:
                f.write(bl.asgard_yaml(b.path("asgard", "runtime"), f"""app:
  - name: probe
    program: {h['stamp']}
    args: {out} pause
    stdout: {b.path('asgard', 'probe.out')}
    stderr: {b.path('asgard', 'probe.err')}
    auto_restart: true
    start_secs: {args.start_secs}
    max_restarts: 1000
    stop_timeout: 2
"""))
            b.start("asgard-guard", [asgard, "guard", "-c", conf], cwd=b.path("asgard"))
            probes.append(Probe("asgard guard", out))
        if args.only in (None, "supervisord"):
            os.makedirs(b.path("sup"))
            out = b.path("sup", "probe")
            conf = b.path("sup", "supervisord.conf")
            with open(conf, "w") as f:
                f.write(bl.supervisord_conf(b.path("sup"), [("probe", {
                    "command": f"{h['stamp']} {out} pause",
                    "autostart": "true", "autorestart": "true",
                    "startsecs": args.start_secs, "startretries": 1000,
                    "stopwaitsecs": 2,
                    "stdout_logfile": b.path("sup", "probe.out"),
                    "stderr_logfile": b.path("sup", "probe.err"),
                })]))
            b.start("supervisord", [supervisord, "-n", "-c", conf], cwd=b.path("sup"))
            probes.append(Probe("supervisord", out))

        if args.only in (None, "floor"):
            os.makedirs(b.path("floor"))
            out = b.path("floor", "probe")
            b.start("mini-supervisor", [h["mini_supervisor"], h["stamp"], out, "pause"],
                    cwd=b.path("floor"))
            probes.append(Probe("floor (C)", out))

        for p in probes:
            p.wait_first()
        time.sleep(max(0.3, min_gap))
        rng = random.Random(42)
        bl.log(f"{args.kills} kills each, gap {min_gap:.2f}-{max_gap:.2f} s between kills ...")
        for i in range(args.kills):
            order = probes[:]
            rng.shuffle(order)
            for p in order:
                time.sleep(rng.uniform(min_gap, max_gap))
                p.kill_and_wait()
            if (i + 1) % 20 == 0:
                bl.log(f"  {i + 1}/{args.kills}")

        # Sanity: asgard counted every kill as a restart of a running process, never a backoff.
        checks = {}
        if args.only in (None, "asgard"):
            st = subprocess.run([asgard, "guard", "status", "--json", "-c", b.path("asgard", "conf")],
                                capture_output=True, text=True, cwd=b.path("asgard"))
            try:
                task = json.loads(st.stdout)["tasks"][0]
                checks["asgard_status"] = (f"state {task.get('state')}, restarts "
                                           f"{task.get('restarts')} after {args.kills} kills")
            except (ValueError, KeyError, IndexError):
                checks["asgard_status"] = st.stdout.strip()[:200] + st.stderr.strip()[:200]

    results = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": bl.machine_note(),
               "kills": args.kills, "start_secs": args.start_secs,
               "supervisord_version": bl.version_of([supervisord, "--version"])}
    print(f"# restart latency, {results['date']}; {results['machine']}")
    print(f"# start_secs/startsecs = {args.start_secs}; supervisord {results['supervisord_version']}")
    rows = []
    for p in probes:
        s = bl.summary_ms(p.latencies)
        results[p.name] = s
        print(f"{p.name:14s} {bl.fmt_summary(s)}")
        rows.append([p.name, s["n"], f"{s['p50']:.3f}", f"{s['p90']:.3f}", f"{s['p99']:.3f}",
                     f"{s['max']:.3f}"])
    if "asgard guard" in results and "supervisord" in results:
        a, s = results["asgard guard"], results["supervisord"]
        results["ratio_p50"] = s["p50"] / a["p50"]
        results["ratio_p99"] = s["p99"] / a["p99"]
        rows.append(["supervisord / asgard", "", f"{results['ratio_p50']:.0f}x", "",
                     f"{results['ratio_p99']:.0f}x", ""])
    print()
    bl.print_table(["supervisor", "kills", "p50 ms", "p90 ms", "p99 ms", "max ms"], rows)
    if "asgard guard" in results:
        a = results["asgard guard"]
        ok = a["p50"] < 2.0 and results.get("ratio_p50", 1e9) >= 100
        print(f"\ntarget (asgard p50 < 2 ms and >= 100x faster than supervisord): "
              f"{'MET' if ok else 'MISSED'}")
        if a["max"] >= 100:
            print("warning: an asgard restart took >= 100 ms: a kill was treated as a failed start?")
    if "asgard guard" in results and "floor (C)" in results:
        a, f = results["asgard guard"], results["floor (C)"]
        results["asgard_over_floor_p50_ms"] = a["p50"] - f["p50"]
        print(f"asgard over the floor: {a['p50'] - f['p50']:+.3f} ms at p50, "
              f"{a['p99'] - f['p99']:+.3f} ms at p99")
    if checks.get("asgard_status"):
        print("asgard guard status:", checks["asgard_status"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
