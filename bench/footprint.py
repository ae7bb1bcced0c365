#!/usr/bin/python3
"""Footprint: memory and CPU of the supervisor daemon itself while it watches idle processes.

Started together and measured in the same run, for --seconds (default 60) after every child is
up:
  - `asgard guard` supervising N (default 100) `sleep 100000` apps, stdout/stderr of each to its
    own file (the usual production set-up), default settings otherwise;
  - supervisord supervising the same N programs with the same files.
Then, in the same run, the references (measured for --ref-seconds, default 10, started only
after the window so that they do not share library pages with the pair and lower its PSS):
  - `asgard guard` with 0 apps and supervisord with 0 programs (the fixed cost);
  - bench/c/linkonly.cc: a main that only links gRPC, protobuf, yaml-cpp and spdlog and builds
    a grpc::ServerBuilder (what those shared libraries cost before any work);
  - bench/c/empty.cc: a C++ main linking only libstdc++ (the floor).
Figures are of the daemon process only (its children are not counted): RSS and its peak
(VmHWM), PSS and private memory from /proc/PID/smaps_rollup (PSS splits shared library pages
among the processes that map them, so it is the fairer memory figure), threads, open fds, and
CPU time (utime + stime from /proc/PID/stat) spent during the measured window and before it
(start-up).

    /usr/bin/python3 bench/footprint.py [--apps 100] [--seconds 60]
"""

import argparse
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402


def asgard_conf(b, name, apps, sleep):
    conf = b.path(name, "conf")
    os.makedirs(conf)
    body = "app:\n" if apps else "app: []\n"
    for i in range(apps):
        body += (f"  - name: sleep{i}\n    program: {sleep}\n    args: \"100000\"\n"
                 f"    stdout: {b.path(name, 'logs', f'sleep{i}.out')}\n"
                 f"    stderr: {b.path(name, 'logs', f'sleep{i}.err')}\n")
    with open(os.path.join(conf, "app.yaml"), "w") as f:
        f.write(bl.asgard_yaml(b.path(name, "runtime"), body))
    return conf


def supervisord_conf(b, name, apps, sleep):
    os.makedirs(b.path(name, "logs"))
    programs = [(f"sleep{i}", {
        "command": f"{sleep} 100000", "autostart": "true", "autorestart": "true",
        "startsecs": 1, "stopwaitsecs": 10,
        "stdout_logfile": b.path(name, "logs", f"sleep{i}.out"),
        "stderr_logfile": b.path(name, "logs", f"sleep{i}.err"),
    }) for i in range(apps)]
    conf = b.path(name, "supervisord.conf")
    with open(conf, "w") as f:
        f.write(bl.supervisord_conf(b.path(name), programs, minfds=max(1024, 8 * apps + 100)))
    return conf


def start_all(b, apps, asgard, supervisord, helpers, sleep, peer=True, extra=True):
    """Starts the daemons; returns [(label, daemon, expected children)]."""
    out = []
    os.makedirs(b.path("ag"))
    out.append((f"asgard guard, {apps} apps",
                b.start("asgard-guard", [asgard, "guard", "-c", asgard_conf(b, "ag", apps, sleep)],
                        cwd=b.path("ag")), apps))
    if peer:
        os.makedirs(b.path("sd"))
        out.append((f"supervisord, {apps} programs",
                    b.start("supervisord", [supervisord, "-n", "-c",
                                            supervisord_conf(b, "sd", apps, sleep)],
                            cwd=b.path("sd")), apps))
    if extra:
        out.extend(start_extras(b, asgard, supervisord if peer else None, helpers, sleep))
    return out


def start_extras(b, asgard, supervisord, helpers, sleep):
    """The fixed-cost references: daemons with nothing to do, link-only and empty programs."""
    out = []
    os.makedirs(b.path("ag0"))
    out.append(("asgard guard, 0 apps",
                b.start("asgard-guard-0", [asgard, "guard", "-c", asgard_conf(b, "ag0", 0, sleep)],
                        cwd=b.path("ag0")), 0))
    if supervisord:
        os.makedirs(b.path("sd0"))
        out.append(("supervisord, 0 programs",
                    b.start("supervisord-0", [supervisord, "-n", "-c",
                                              supervisord_conf(b, "sd0", 0, sleep)],
                            cwd=b.path("sd0")), 0))
    out.append(("linkonly (gRPC+protobuf+yaml-cpp+spdlog, ServerBuilder)",
                b.start("linkonly", [helpers["linkonly"]]), 0))
    out.append(("empty C++ main (libstdc++ only)", b.start("empty", [helpers["empty"]]), 0))
    return out


def wait_children(daemons, timeout):
    """Waits until each daemon has its expected number of live children; returns seconds."""
    t0 = time.monotonic()
    ready = {}
    while len(ready) < len(daemons):
        for label, d, want in daemons:
            if label in ready:
                continue
            if not d.alive():
                raise RuntimeError(f"{label} exited: {d.console()[-2000:]}")
            if len(bl.children_of(d.pid)) >= want:
                ready[label] = time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            missing = [l for l, _, _ in daemons if l not in ready]
            raise TimeoutError(f"children not all up after {timeout}s: {missing}")
        time.sleep(0.05)
    return ready


def measure(daemons, seconds, sample_every=5.0):
    """CPU over the window and memory samples; returns {label: figures}."""
    cpu0 = {label: bl.proc_stat_cpu(d.pid) for label, d, _ in daemons}
    ns0 = {label: bl.proc_cpu_ns(d.pid) for label, d, _ in daemons}
    t0 = time.monotonic()
    peak = {label: {} for label, _, _ in daemons}
    while True:
        for label, d, _ in daemons:
            m = bl.proc_mem(d.pid)
            for k, v in m.items():
                peak[label][k] = max(peak[label].get(k, 0), v)
        left = seconds - (time.monotonic() - t0)
        if left <= 0:
            break
        time.sleep(min(sample_every, left))
    wall = time.monotonic() - t0
    out = {}
    for label, d, want in daemons:
        m = bl.proc_mem(d.pid)
        cpu1 = bl.proc_stat_cpu(d.pid)
        out[label] = {
            "pid": d.pid, "children": len(bl.children_of(d.pid)), "expected": want,
            "rss_kb": m.get("VmRSS"), "hwm_kb": m.get("VmHWM"), "pss_kb": m.get("Pss"),
            "private_kb": m.get("Private_Clean", 0) + m.get("Private_Dirty", 0),
            "anon_kb": m.get("RssAnon"), "threads": m.get("Threads"), "fds": bl.fd_count(d.pid),
            "cpu_startup_s": cpu0[label], "cpu_window_s": cpu1 - cpu0[label], "window_s": wall,
            "cpu_window_ms_schedstat": (bl.proc_cpu_ns(d.pid) - ns0[label]) / 1e6,
            "max_rss_kb_in_window": peak[label].get("VmRSS"),
        }
    return out


def report(results, title, apps):
    rows = []
    for label, r in results.items():
        mib = lambda kb: f"{kb / 1024:.1f}" if kb is not None else "-"
        rows.append([label, f"{r['children']}/{r['expected']}", mib(r["rss_kb"]),
                     mib(r["hwm_kb"]), mib(r["anon_kb"]), mib(r["pss_kb"]), mib(r["private_kb"]),
                     r["threads"], r["fds"], f"{r['cpu_startup_s']:.2f}",
                     f"{r['window_s']:.0f}", f"{r['cpu_window_s']:.2f}",
                     f"{r['cpu_window_ms_schedstat']:.1f}"])
    print(title)
    print("# CPU in window: utime+stime (/proc/PID/stat, 10 ms ticks) and on-CPU time of the "
          "threads (schedstat, ns); memory at the end of the window")
    bl.print_table(["process", "children", "RSS MiB", "peak RSS MiB", "anon MiB", "PSS MiB",
                    "private MiB", "threads", "fds", "CPU start-up s", "window s",
                    "CPU in window s", "CPU in window ms (schedstat)"], rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--apps", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--ref-seconds", type=float, default=10,
                    help="window of the reference processes, measured afterwards")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    asgard = bl.asgard_binary()
    supervisord = bl.need("supervisord", "supervisor")
    sleep = bl.need("sleep", "coreutils")
    nofile = bl.raise_nofile(8 * args.apps + 1024)
    with bl.Bench("footprint", keep=args.keep) as b:
        helpers = b.build_helpers(cxx=True)
        # The pair under test runs alone first: PSS shares a library's pages among every
        # process that maps it, so the references are started only after the window.
        daemons = start_all(b, args.apps, asgard, supervisord, helpers, sleep, extra=False)
        ready = wait_children(daemons, timeout=60 + args.apps / 10)
        bl.log(f"all children up ({', '.join(f'{k}: {v:.2f}s' for k, v in ready.items())}); "
               f"measuring for {args.seconds:.0f} s ...")
        results = measure(daemons, args.seconds)
        extras = start_extras(b, asgard, supervisord, helpers, sleep)
        wait_children(extras, timeout=30)
        time.sleep(3)  # past their start-up
        bl.log(f"references started; measuring them for {args.ref_seconds:.0f} s ...")
        results.update(measure(extras, args.ref_seconds))
    date = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    report(results, f"# footprint, {date}; {bl.machine_note()}; ulimit -n {nofile[0]}; "
           f"supervisord {bl.version_of([supervisord, '--version'])}", args.apps)
    ag = results[f"asgard guard, {args.apps} apps"]
    sd = results[f"supervisord, {args.apps} programs"]
    print(f"\nasgard/supervisord: RSS {ag['rss_kb'] / sd['rss_kb']:.2f}, "
          f"PSS {ag['pss_kb'] / sd['pss_kb']:.2f}, anon {ag['anon_kb'] / sd['anon_kb']:.2f}, "
          f"CPU in window {ag['cpu_window_s']:.2f} s vs {sd['cpu_window_s']:.2f} s "
          f"(schedstat {ag['cpu_window_ms_schedstat']:.1f} ms vs "
          f"{sd['cpu_window_ms_schedstat']:.1f} ms)")
    rss_ok = ag["rss_kb"] <= 0.5 * sd["rss_kb"]
    pss_ok = ag["pss_kb"] <= 0.5 * sd["pss_kb"]
    cpu_ok = ag["cpu_window_ms_schedstat"] <= sd["cpu_window_ms_schedstat"]
    print(f"target RSS <= half of supervisord's: {'MET' if rss_ok else 'MISSED'} "
          f"(PSS: {'MET' if pss_ok else 'MISSED'}); "
          f"CPU <= supervisord's: {'MET' if cpu_ok else 'MISSED'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": date, "machine": bl.machine_note(), "results": results}, f,
                      indent=2)


if __name__ == "__main__":
    main()
