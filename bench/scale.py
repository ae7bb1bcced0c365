#!/usr/bin/python3
"""Scale: 100,000 cron entries in `asgard cron`, and 1,000 apps in `asgard guard`.

Part A (`--entries`, default 100,000): an app.yaml with that many jobs running /bin/true on
specs that never fire during the bench (`M H D Mo *` spread over minutes, hours and days, in a
month six months away). Measured: the time from exec of `asgard cron` until it prints
`listening on` (config loaded, every job armed, socket bound), then until `asgard cron status`
answers through the socket, and until `asgard cron show` of the last job answers; RSS, PSS and
CPU after start-up; the time a SIGTERM takes to stop it.

Part B (`--apps`, default 1,000): `asgard guard` supervising that many `sleep 100000` (stdout
and stderr of each to a file), and supervisord with the same programs in the same run (skip with
--no-peer): time until every child is up, then RSS, PSS and CPU of the daemon over --seconds
(default 60), and the time a SIGTERM takes to stop everything.

    /usr/bin/python3 bench/scale.py [--entries 100000] [--apps 1000] [--seconds 60]
"""

import argparse
import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import footprint  # noqa: E402


def timed(argv, cwd, timeout=300):
    t0 = time.monotonic()
    r = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=timeout)
    return time.monotonic() - t0, r


def part_a(b, asgard, entries):
    month = (time.gmtime().tm_mon - 1 + 6) % 12 + 1
    conf = b.path("cron", "conf")
    os.makedirs(conf)
    path = os.path.join(conf, "app.yaml")
    with open(path, "w") as f:
        f.write(bl.asgard_yaml(b.path("cron", "runtime"), "cron:\n"))
        for i in range(entries):
            spec = f"{i % 60} {(i // 60) % 24} {1 + (i // 1440) % 28} {month} *"
            f.write(f"  - name: job{i}\n    program: /bin/true\n    spec: \"{spec}\"\n")
    size = os.path.getsize(path)
    res = {"entries": entries, "yaml_mib": size / 2**20}
    out = b.path("cron", "stdout")
    t0 = time.monotonic()
    d = b.start("asgard-cron", [asgard, "cron", "-c", conf], cwd=b.path("cron"),
                stdout=open(out, "wb"))
    try:
        bl.wait_line(out, "listening on", 600, d)
    except RuntimeError:
        res["error"] = d.console().strip()[-500:]
        res["listening_s"] = time.monotonic() - t0
        d.stop()
        return res
    res["listening_s"] = time.monotonic() - t0
    res["cpu_startup_s"] = bl.proc_stat_cpu(d.pid)
    m = bl.proc_mem(d.pid)
    res.update(rss_kb=m.get("VmRSS"), hwm_kb=m.get("VmHWM"), pss_kb=m.get("Pss"),
               anon_kb=m.get("RssAnon"), threads=m.get("Threads"))
    dt, r = timed([asgard, "cron", "status", "-c", conf], b.path("cron"))
    res["status"] = {"seconds": dt, "exit": r.returncode, "stdout_lines": r.stdout.count(b"\n"),
                     "stderr": r.stderr.decode(errors="replace").strip()[:300],
                     "since_start_s": time.monotonic() - t0}
    dt, r = timed([asgard, "cron", "status", "--json", "-c", conf], b.path("cron"))
    res["status_json"] = {"seconds": dt, "exit": r.returncode, "bytes": len(r.stdout),
                          "stderr": r.stderr.decode(errors="replace").strip()[:300]}
    dt, r = timed([asgard, "cron", "show", f"job{entries - 1}", "-c", conf], b.path("cron"))
    res["show_last"] = {"seconds": dt, "exit": r.returncode,
                        "stderr": r.stderr.decode(errors="replace").strip()[:300]}
    m = bl.proc_mem(d.pid)
    res["rss_after_queries_kb"] = m.get("VmRSS")
    res["cpu_total_s"] = bl.proc_stat_cpu(d.pid)
    res["stop_s"] = d.stop(timeout=120)
    res["exit_code"] = d.proc.returncode
    return res


def part_b(b, asgard, apps, seconds, peer):
    supervisord = bl.need("supervisord", "supervisor") if peer else None
    sleep = bl.need("sleep", "coreutils")
    daemons = footprint.start_all(b, apps, asgard, supervisord, None, sleep, peer=peer,
                                  extra=False)
    ready = footprint.wait_children(daemons, timeout=120 + apps / 5)
    bl.log(f"all children up ({', '.join(f'{k}: {v:.1f}s' for k, v in ready.items())}); "
           f"measuring for {seconds:.0f} s ...")
    results = footprint.measure(daemons, seconds)
    for label, d, _ in daemons:
        results[label]["all_up_s"] = ready[label]
        results[label]["stop_s"] = d.stop(timeout=120)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--apps", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--no-peer", action="store_true", help="part B without supervisord")
    ap.add_argument("--only", choices=["cron", "guard"])
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    asgard = bl.asgard_binary()
    nofile = bl.raise_nofile(8 * args.apps + 1024)
    with open("/proc/sys/kernel/pid_max") as f:
        pid_max = int(f.read())
    limits = f"ulimit -n {nofile[0]} (hard {nofile[1]}), pid_max {pid_max}"
    res = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": bl.machine_note(),
           "limits": limits}
    with bl.Bench("scale", keep=args.keep) as b:
        if args.only in (None, "cron"):
            bl.log(f"part A: {args.entries} cron entries ...")
            res["cron"] = part_a(b, asgard, args.entries)
        if args.only in (None, "guard"):
            bl.log(f"part B: {args.apps} apps ...")
            res["guard"] = part_b(b, asgard, args.apps, args.seconds, not args.no_peer)

    print(f"# scale, {res['date']}; {res['machine']}; {limits}")
    if "cron" in res:
        c = res["cron"]
        print(f"\n## asgard cron with {c['entries']} entries (app.yaml {c['yaml_mib']:.1f} MiB)")
    if "cron" in res and "error" in res["cron"]:
        print(f"asgard cron refused to start after {c['listening_s']:.2f} s: {c['error']}")
    elif "cron" in res:
        mib = lambda kb: f"{kb / 1024:.1f}" if kb else "-"
        bl.print_table(["figure", "value"], [
            ["start -> `listening on`", f"{c['listening_s']:.2f} s"],
            ["CPU used by start-up", f"{c['cpu_startup_s']:.2f} s"],
            ["RSS / peak / anon / PSS after start-up",
             f"{mib(c['rss_kb'])} / {mib(c['hwm_kb'])} / {mib(c['anon_kb'])} / "
             f"{mib(c['pss_kb'])} MiB"],
            ["`cron status` (table)", f"{c['status']['seconds']:.2f} s, exit {c['status']['exit']}, "
                                     f"{c['status']['stdout_lines']} lines"],
            ["`cron status --json`", f"{c['status_json']['seconds']:.2f} s, exit "
                                     f"{c['status_json']['exit']}, "
                                     f"{c['status_json']['bytes'] / 2**20:.1f} MiB"],
            [f"`cron show job{c['entries'] - 1}`", f"{c['show_last']['seconds']:.2f} s, exit "
                                                  f"{c['show_last']['exit']}"],
            ["RSS after the queries", f"{mib(c['rss_after_queries_kb'])} MiB"],
            ["SIGTERM -> exited", f"{c['stop_s']:.2f} s (exit {c['exit_code']})"],
        ])
        for k in ("status", "status_json", "show_last"):
            if c[k]["exit"] != 0:
                print(f"{k} failed: {c[k]['stderr']}")
    if "guard" in res:
        rows = []
        for label, r in res["guard"].items():
            rows.append([label, f"{r['children']}/{r['expected']}", f"{r['all_up_s']:.1f}",
                         f"{r['rss_kb'] / 1024:.1f}", f"{r['hwm_kb'] / 1024:.1f}",
                         f"{r['pss_kb'] / 1024:.1f}", r["threads"], r["fds"],
                         f"{r['cpu_startup_s']:.2f}", f"{r['cpu_window_s']:.2f}",
                         f"{r['cpu_window_ms_schedstat']:.0f}", f"{r['stop_s']:.1f}"])
        w = next(iter(res["guard"].values()))["window_s"]
        print(f"\n## {args.apps} apps (sleep 100000), CPU window {w:.0f} s")
        bl.print_table(["daemon", "children", "all up s", "RSS MiB", "peak RSS MiB", "PSS MiB",
                        "threads", "fds", "CPU start-up s", "CPU window s",
                        "CPU window ms (schedstat)", "SIGTERM -> exit s"], rows)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
