#!/usr/bin/python3
"""Restart latency: SIGKILL of a supervised process -> exec of its replacement.

`asgard guard` and supervisord run side by side, each supervising one copy of the stamp program
(bench/c/stamp.c: first thing in main it appends CLOCK_REALTIME ns and its pid to a file, then
pause()s). The bench alternates between them in random order: it lets the current copy run for
a while, as a real app does before it dies (--uptime, default 1.0-1.4 s), reads the clock,
SIGKILLs it and waits for the next stamp line; latency = stamp time - kill time. `asgard guard`
runs twice: with its cgroups (each run in its own cgroup v2) and where cgroup2 is read-only (a
private mount namespace: no cgroup, runs found by their marker); each says which spawn path it
used (from its log). Both sides use the immediate-restart path: start_secs: 0 (asgard) and startsecs=0
(supervisord), so no kill ever counts as a failed start (no backoff), plus autorestart; with
--start-secs N > 0 both get N and every kill waits N + 0.3 s of uptime. A third column, the
floor, is bench/c/mini_supervisor.c: signalfd + waitpid + posix_spawn and nothing else, i.e.
what this machine needs at the least (kernel exit, SIGCHLD delivery, spawn, exec).

Targets (issue 10): p50 within the floor's p50 + 0.5 ms, and at least 300x supervisord.

    /usr/bin/python3 bench/restart_latency.py [--kills 100] [--uptime 1.2]
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
from benchlib import without_cgroups  # noqa: E402


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
    ap.add_argument("--uptime", type=float, default=1.2,
                    help="mean seconds a copy runs before it is killed (+-0.2; default 1.2)")
    ap.add_argument("--only", choices=["asgard", "asgard-nocgroup", "supervisord", "floor"])
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = ap.parse_args()
    asgard = bl.asgard_binary()
    supervisord = bl.need("supervisord", "supervisor")
    uptime = max(args.uptime, args.start_secs + 0.5)
    min_gap, max_gap = max(0.02, uptime - 0.2), uptime + 0.2

    with bl.Bench("restart", keep=args.keep) as b:
        h = b.build_helpers()
        probes = []
        guards = []  # (probe name, dir, argv prefix)
        if args.only in (None, "asgard"):
            guards.append(("asgard guard", "asgard", []))
        if args.only in (None, "asgard-nocgroup"):
            guards.append(("asgard, no cgroup", "asgard-nocg", without_cgroups))
        for name, sub, prefix in guards:
            conf = b.path(sub, "conf")
            os.makedirs(conf)
            out = b.path(sub, "probe")
            with open(os.path.join(conf, "app.yaml"), "w") as f:
                f.write(bl.asgard_yaml(b.path(sub, "runtime"), f"""app:
  - name: probe
    program: {h['stamp']}
    args: {out} pause
    stdout: {b.path(sub, 'probe.out')}
    stderr: {b.path(sub, 'probe.err')}
    auto_restart: true
    start_secs: {args.start_secs}
    max_restarts: 1000
    stop_timeout: 2
"""))
            argv = [asgard, "guard", "-c", conf]
            b.start(name, prefix(argv) if prefix else argv, cwd=b.path(sub))
            probes.append(Probe(name, out))
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

        # Sanity: asgard counted every kill as a restart of a running process, never a backoff;
        # and which way it spawned.
        checks = {}
        for name, sub, _ in guards:
            st = subprocess.run([asgard, "guard", "status", "--json", "-c", b.path(sub, "conf")],
                                capture_output=True, text=True, cwd=b.path(sub))
            try:
                task = json.loads(st.stdout)["tasks"][0]
                checks[name] = (f"state {task.get('state')}, restarts "
                                f"{task.get('restarts')} after {args.kills} kills")
            except (ValueError, KeyError, IndexError):
                checks[name] = st.stdout.strip()[:200] + st.stderr.strip()[:200]
            checks[name] += "; spawn path: " + bl.spawn_path(b.path(sub, "runtime", "guard.log"))

    results = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": bl.machine_note(),
               "kills": args.kills, "start_secs": args.start_secs, "uptime_s": uptime,
               "supervisord_version": bl.version_of([supervisord, "--version"])}
    print(f"# restart latency, {results['date']}; {results['machine']}")
    print(f"# start_secs/startsecs = {args.start_secs}; each copy runs {min_gap:.1f}-{max_gap:.1f} s "
          f"before its kill; supervisord {results['supervisord_version']}")
    rows = []
    for p in probes:
        s = bl.summary_ms(p.latencies)
        results[p.name] = s
        rows.append([p.name, s["n"], f"{s['p50']:.3f}", f"{s['p90']:.3f}", f"{s['p99']:.3f}",
                     f"{s['max']:.3f}"])
    print()
    bl.print_table(["supervisor", "kills", "p50 ms", "p90 ms", "p99 ms", "max ms"], rows)
    print()
    sup, floor = results.get("supervisord"), results.get("floor (C)")
    for name, _, _ in guards:
        a = results[name]
        verdicts = []
        if floor:
            over = a["p50"] - floor["p50"]
            results[f"{name}: over floor p50 ms"] = over
            verdicts.append(f"p50 {over:+.3f} ms over the floor (p99 {a['p99'] - floor['p99']:+.3f})"
                            f" -> {'MET' if over <= 0.5 else 'MISSED'} (<= +0.5 ms)")
        if sup:
            ratio = sup["p50"] / a["p50"]
            results[f"{name}: supervisord ratio p50"] = ratio
            verdicts.append(f"{ratio:.0f}x supervisord at p50 -> "
                            f"{'MET' if ratio >= 300 else 'MISSED'} (>= 300x)")
        print(f"{name}: " + "; ".join(verdicts))
        if a["max"] >= 100:
            print(f"warning: a restart by {name} took >= 100 ms: a kill treated as a failed start?")
        print(f"  {checks[name]}")
        results[f"{name}: status"] = checks[name]
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
