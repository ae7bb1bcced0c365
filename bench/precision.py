#!/usr/bin/python3
"""Firing precision of `asgard cron`, next to cron and to this machine's serial spawn time.

Phase 1 (--seconds, default 120): `asgard cron` runs 1,000 jobs `N * * * * *` (job i fires at
second N = i mod 60 of every minute, so 16-17 jobs share each second); each runs the stamp
program (bench/c/stamp.c in "exit" mode: first thing in main it appends CLOCK_REALTIME ns, then
exits). Lateness of an exec = its stamp - its scheduled second. Reported: all execs (p50, p99,
max), the FIRST exec of each second, the LAST exec of each second, and missed or duplicated
fires. In the same run and on the same machine:
  - the serial spawn baseline: every 2 s, at x.5 s (between Asgard's batches),
    bench/c/spawn_serial.c starts 17 stamps one after another with posix_spawn; its time to
    the first and to the 17th exec is what this machine needs to spawn one second's batch;
  - Debian cron (`cron -f -L 15`) with three `* * * * *` lines in /etc/cron.d/ running the same
    stamp; lateness against the minute (the file is removed afterwards).
Phase 2 (burst, --rounds times): a fresh `asgard cron` with 1,000 timings due at the same
second: time until the last one has started, next to spawn_serial starting 1,000 stamps one
after another just before and just after (never during) each burst; the ratio is against the
mean of the two.

    /usr/bin/python3 bench/precision.py [--seconds 120] [--jobs 1000] [--burst 1000]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

NS = 1_000_000_000


def write_conf(b, name, body):
    conf = b.path(name, "conf")
    os.makedirs(conf)
    with open(os.path.join(conf, "app.yaml"), "w") as f:
        f.write(bl.asgard_yaml(b.path(name, "runtime"), body))
    return conf


def start_cron_daemon(b, asgard, name, conf):
    """Starts `asgard cron`; returns (daemon, wall ns when it printed `listening on`)."""
    d = b.start(name, [asgard, "cron", "-c", conf], cwd=b.path(name),
                stdout=open(b.path(name, "stdout"), "wb"))
    bl.wait_line(b.path(name, "stdout"), "listening on", 120, d)
    return d, time.time_ns()


def serial_spawn(h, count, out, tag):
    r = subprocess.run([h["spawn_serial"], str(count), h["stamp"], out, tag],
                       capture_output=True, text=True, check=True)
    return int(r.stdout.split()[0])


def serial_figures(stamps, t0s):
    """{tag: (first - t0, last - t0)} for each spawn_serial batch."""
    by_tag = {}
    for ns, _, tag in stamps:
        by_tag.setdefault(tag.rsplit("-", 1)[0], []).append(ns)
    out = {}
    for tag, t0 in t0s.items():
        got = by_tag.get(tag, [])
        if got:
            out[tag] = (min(got) - t0, max(got) - t0, len(got))
    return out


def start_peer_cron(b, h, lines=3):
    """Debian cron in the foreground with its own file in /etc/cron.d; None if unavailable."""
    cron = bl.need("cron", "cron")
    out = b.path("cron.stamps")
    path = f"/etc/cron.d/asgard-bench-{bl.RUN_ID[:12]}"
    with open(path, "w") as f:
        f.write("SHELL=/bin/sh\n")
        for k in range(lines):
            f.write(f"* * * * * root {h['stamp']} {out} exit cron{k}\n")
    os.chmod(path, 0o644)
    b.on_cleanup(lambda: os.unlink(path))
    d = b.start("cron", [cron, "-f", "-L", "15"])
    time.sleep(1.0)
    if not d.alive():
        bl.log(f"cron did not start (another cron running?): {d.console()[-500:]}")
        return None, out
    return d, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--burst", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3, help="burst rounds (default 3)")
    ap.add_argument("--no-cron", action="store_true", help="skip the Debian cron peer")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    asgard = bl.asgard_binary()
    bl.raise_nofile(4 * max(args.jobs, args.burst) + 1024)
    per_second = -(-args.jobs // 60)
    res = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": bl.machine_note(),
           "jobs": args.jobs, "seconds": args.seconds, "burst_count": args.burst}

    with bl.Bench("precision", keep=args.keep) as b:
        h = b.build_helpers()
        jobs_out = b.path("jobs.stamps")
        serial_out = b.path("serial.stamps")
        os.makedirs(b.path("cron1"))
        body = "cron:\n"
        for i in range(args.jobs):
            body += (f"  - name: j{i}\n    program: {h['stamp']}\n    args: {jobs_out} exit {i}\n"
                     f"    spec: \"{i % 60} * * * * *\"\n")
        conf = write_conf(b, "cron1", body)

        peer = None
        cron_out = None
        if not args.no_cron:
            peer, cron_out = start_peer_cron(b, h)
        daemon, ready_ns = start_cron_daemon(b, asgard, "cron1", conf)
        cpu0 = bl.proc_cpu_ns(daemon.pid)
        end_ns = ready_ns + int(args.seconds * NS)
        bl.log(f"phase 1: {args.jobs} jobs for {args.seconds:.0f} s; serial batches of "
               f"{per_second} every 2 s at x.5 s ...")
        serial_t0 = {}
        k = 0
        while True:
            now = time.time_ns()
            nxt = (now // NS + 1) * NS + NS // 2  # next x.5 s
            if (nxt // NS) % 2:
                nxt += NS
            if nxt >= end_ns:
                break
            time.sleep((nxt - now) / NS)
            serial_t0[f"s{k}"] = serial_spawn(h, per_second, serial_out, f"s{k}")
            k += 1
        time.sleep(max(0, (end_ns - time.time_ns()) / NS) + 1.5)  # let the last batch finish
        res["asgard_cron_cpu_ms"] = (bl.proc_cpu_ns(daemon.pid) - cpu0) / 1e6
        res["asgard_cron_rss_kb"] = bl.proc_mem(daemon.pid).get("VmRSS")
        daemon.stop()
        if peer:
            peer.stop()

        # ---- phase 1 analysis
        window_lo = ready_ns // NS + 1  # first whole second after the daemon was ready
        window_hi = end_ns // NS  # last scheduled second counted
        lateness, by_second, fires = [], {}, {}
        for ns, pid, tag in bl.read_stamps(jobs_out):
            i = int(tag)
            n = i % 60
            t_s = ns // NS
            sched = t_s - ((t_s - n) % 60)
            if not window_lo <= sched <= window_hi:
                continue
            late = ns - sched * NS
            lateness.append(late)
            by_second.setdefault(sched, []).append(late)
            fires[(i, sched)] = fires.get((i, sched), 0) + 1
        expected = {(i, s) for s in range(window_lo, window_hi + 1)
                    for i in range(args.jobs) if i % 60 == s % 60}
        missed = sorted(expected - set(fires))
        dup = {k: v for k, v in fires.items() if v > 1}
        firsts = [min(v) for v in by_second.values()]
        lasts = [max(v) for v in by_second.values()]
        serial = serial_figures(bl.read_stamps(serial_out), serial_t0)
        res["asgard_all"] = bl.summary_ms(lateness)
        res["asgard_first_of_second"] = bl.summary_ms(firsts)
        res["asgard_last_of_second"] = bl.summary_ms(lasts)
        res["seconds_measured"] = len(by_second)
        res["fires"] = len(lateness)
        res["expected_fires"] = len(expected)
        res["missed"] = len(missed)
        res["missed_examples"] = [f"j{i}@{time.strftime('%H:%M:%S', time.gmtime(s))}"
                                  for i, s in missed[:10]]
        res["duplicated"] = len(dup)
        res["serial_batch_first"] = bl.summary_ms([v[0] for v in serial.values()])
        res["serial_batch_last"] = bl.summary_ms([v[1] for v in serial.values()])
        res["serial_batch_size"] = per_second
        # per second: is the last exec within the serial time of a batch of that size?
        serial_p50 = res["serial_batch_last"].get("p50", float("nan"))
        res["seconds_last_within_serial_p50"] = sum(1 for v in lasts if v / 1e6 <= serial_p50)
        if cron_out is not None:
            cron_late = [ns - (ns // (60 * NS)) * 60 * NS for ns, _, _ in bl.read_stamps(cron_out)]
            res["cron"] = bl.summary_ms(cron_late)
            res["cron_samples_ms"] = [round(v / 1e6, 1) for v in cron_late]

        # ---- phase 2: bursts of timings due at the same second, alternating with the serial
        # spawn of as many processes (never at the same time), --rounds times
        res["rounds"] = []
        for r in range(args.rounds):
            rnd = {}
            serial_big = b.path(f"serial-big{r}.stamps")
            t0 = serial_spawn(h, args.burst, serial_big, "before")
            before = serial_figures(bl.read_stamps(serial_big), {"before": t0})["before"]
            rnd["serial_before_ms"] = before[1] / 1e6
            time.sleep(1)
            name = f"burst{r}"
            burst_out = b.path(f"{name}.stamps")
            os.makedirs(b.path(name))
            due_s = time.time_ns() // NS + 5 + args.burst // 250
            due = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(due_s))
            body = "timing:\n"
            for i in range(args.burst):
                body += (f"  - name: t{i}\n    program: {h['stamp']}\n"
                         f"    args: {burst_out} exit t{i}\n    time: \"{due}\"\n")
            conf = write_conf(b, name, body)
            daemon, ready2 = start_cron_daemon(b, asgard, name, conf)
            if ready2 >= due_s * NS:
                raise RuntimeError("asgard cron was not ready before the burst was due")
            bl.log(f"phase 2, round {r + 1}/{args.rounds}: {args.burst} timings due at {due} "
                   f"(serial spawn of {args.burst} just took {rnd['serial_before_ms']:.0f} ms) ...")
            cpu0 = bl.proc_cpu_ns(daemon.pid)
            try:
                bl.wait_for(lambda: len(bl.read_stamps(burst_out)) >= args.burst,
                            (due_s * NS - time.time_ns()) / NS + 60, 0.05, "the burst")
            except TimeoutError as e:
                bl.log(str(e))
            rnd["cpu_ms"] = (bl.proc_cpu_ns(daemon.pid) - cpu0) / 1e6
            time.sleep(0.5)
            daemon.stop()
            time.sleep(1)
            t0 = serial_spawn(h, args.burst, serial_big, "after")
            after = serial_figures(bl.read_stamps(serial_big), {"after": t0})["after"]
            rnd["serial_after_ms"] = after[1] / 1e6
            rnd["serial_last_ms"] = (rnd["serial_before_ms"] + rnd["serial_after_ms"]) / 2
            burst = [ns - due_s * NS for ns, _, _ in bl.read_stamps(burst_out)]
            rnd["started"] = len(burst)
            rnd["first_ms"] = min(burst) / 1e6 if burst else float("nan")
            rnd["p50_ms"] = bl.summary_ms(burst).get("p50", float("nan"))
            rnd["last_ms"] = max(burst) / 1e6 if burst else float("nan")
            rnd["ratio"] = rnd["last_ms"] / rnd["serial_last_ms"]
            res["rounds"].append(rnd)
            time.sleep(1)

    report(res, per_second)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)


def report(res, per_second):
    f = lambda s, k: f"{s[k]:.2f}" if s.get("n") else "-"
    print(f"# firing precision, {res['date']}; {res['machine']}")
    print(f"# phase 1: {res['jobs']} jobs 'N * * * * *' for {res['seconds']:.0f} s: "
          f"{res['fires']} execs of {res['expected_fires']} expected in {res['seconds_measured']} "
          f"seconds; missed {res['missed']} {res['missed_examples']}; duplicated {res['duplicated']}")
    rows = []
    for label, key in (("asgard cron, every exec", "asgard_all"),
                       ("asgard cron, first exec of each second", "asgard_first_of_second"),
                       ("asgard cron, last exec of each second", "asgard_last_of_second"),
                       (f"serial posix_spawn of {per_second}: first exec", "serial_batch_first"),
                       (f"serial posix_spawn of {per_second}: last exec", "serial_batch_last"),
                       ("cron `* * * * *` (vs the minute)", "cron")):
        s = res.get(key)
        if s is None:
            continue
        rows.append([label, s.get("n", 0), f(s, "p50"), f(s, "p90"), f(s, "p99"), f(s, "max")])
    bl.print_table(["lateness after the scheduled second", "n", "p50 ms", "p90 ms", "p99 ms",
                    "max ms"], rows)
    if "cron_samples_ms" in res:
        print(f"cron samples (ms after the minute): {res['cron_samples_ms']}")
    print(f"asgard cron during phase 1: {res['asgard_cron_cpu_ms']:.0f} ms CPU, "
          f"RSS {res['asgard_cron_rss_kb'] / 1024:.1f} MiB")
    n_burst = res["burst_count"]
    print(f"\n# phase 2: {n_burst} timings due at the same second (ms after that second), each "
          f"round between two serial posix_spawns of {n_burst} stamps")
    rows = []
    for i, r in enumerate(res["rounds"]):
        rows.append([i + 1, r["started"], f"{r['first_ms']:.1f}", f"{r['p50_ms']:.0f}",
                     f"{r['last_ms']:.0f}", f"{r['serial_before_ms']:.0f}",
                     f"{r['serial_after_ms']:.0f}", f"{r['ratio']:.2f}", f"{r['cpu_ms']:.0f}"])
    bl.print_table(["round", "started", "asgard first ms", "asgard p50 ms", "asgard last ms",
                    f"serial {n_burst} before: last ms", "after: last ms",
                    "ratio asgard last / mean serial", "asgard CPU ms"], rows)
    first = res["asgard_first_of_second"]
    serial_last = res["serial_batch_last"]
    ratios = [r["ratio"] for r in res["rounds"]]
    print("\ntargets:")
    if first.get("n"):
        floor = res["serial_batch_first"].get("p50", float("nan"))
        print(f"  first exec of each second p99 <= 2 ms: {first['p99']:.2f} ms -> "
              f"{'MET' if first['p99'] <= 2 else 'MISSED'}; one posix_spawn alone takes "
              f"{floor:.2f} ms (p50) here, so Asgard adds {first['p50'] - floor:.2f} ms at p50")
        print(f"  every exec within the serial spawn time of its batch: last exec of each second "
              f"p50 {res['asgard_last_of_second']['p50']:.2f} / max "
              f"{res['asgard_last_of_second']['max']:.2f} ms vs serial {per_second} p50 "
              f"{serial_last.get('p50', float('nan')):.2f} / max "
              f"{serial_last.get('max', float('nan')):.2f} ms (ratio of the p50s "
              f"{res['asgard_last_of_second']['p50'] / serial_last.get('p50', float('nan')):.2f}); "
              f"seconds whose last exec is within the serial p50: "
              f"{res['seconds_last_within_serial_p50']}/{res['seconds_measured']}")
    if ratios:
        med = statistics.median(ratios)
        all_started = all(r["started"] == n_burst for r in res["rounds"])
        print(f"  burst no slower than the serial spawn: median ratio last/serial {med:.2f} over "
              f"{len(ratios)} rounds -> {'MET' if med <= 1.0 and all_started else 'MISSED'}"
              f"{'' if all_started else ' (some timings did not start)'}")
    print(f"  no missed fires: {'MET' if res['missed'] == 0 and res['duplicated'] == 0 else 'MISSED'}")


if __name__ == "__main__":
    main()
