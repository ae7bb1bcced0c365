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
  - the woken floor: in the other seconds, spawn_serial sleeps until x.5 s exactly
    (clock_nanosleep, TIMER_ABSTIME, as Asgard's timerfd) and then spawns the same batch; its
    lateness after x.5 s is what a scheduler that sleeps until its fire time can do here, wake-up
    included, and is the floor of the first-exec target;
  - Debian cron (`cron -f -L 15`) with three `* * * * *` lines in /etc/cron.d/ running the same
    stamp; lateness against the minute (the file is removed afterwards).
Both phases run twice (--cgroups): `asgard cron` with its cgroups (each run in its own cgroup
v2), then where cgroup2 is read-only (a private mount namespace: no cgroup); each says which
spawn path it used (from its log).
Phase 2 (burst, --rounds times): a fresh `asgard cron` with 1,000 timings due at the same
second: time until the last one has started, next to spawn_serial starting 1,000 stamps one
after another just before and just after (never during) each burst; the ratio is against the
mean of the two.

Targets (issue 10, each with cgroups on and off): first exec of each second p99 within the
serial spawn's first-exec p99 + 0.5 ms; the burst no slower than the serial spawn.

    /usr/bin/python3 bench/precision.py [--seconds 120] [--jobs 1000] [--burst 1000]
        [--cgroups on,off]
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


def start_cron_daemon(b, name, argv):
    """Starts `asgard cron`; returns (daemon, wall ns when it printed `listening on`)."""
    d = b.start(name, argv, cwd=b.path(name),
                stdout=open(b.path(name, "stdout"), "wb"))
    bl.wait_line(b.path(name, "stdout"), "listening on", 120, d)
    return d, time.time_ns()


def serial_spawn(h, count, out, tag, at_ns=None):
    argv = [h["spawn_serial"], str(count), h["stamp"], out, tag]
    if at_ns is not None:
        argv.append(str(at_ns))  # sleeps until then: the woken floor
    r = subprocess.run(argv, capture_output=True, text=True, check=True)
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


def asgard_argv(asgard, conf, variant):
    argv = [asgard, "cron", "-c", conf]
    return bl.without_cgroups(argv) if variant == "no cgroup" else argv


def phase1(b, h, args, asgard, variant, with_peer):
    """1,000 jobs 'N * * * * *' for --seconds, serial batches between, the cron peer beside."""
    per_second = -(-args.jobs // 60)
    res = {}
    tag = "cron1" if variant == "cgroup" else "cron1-nocg"
    jobs_out = b.path(f"{tag}.stamps")
    serial_out = b.path(f"{tag}-serial.stamps")
    os.makedirs(b.path(tag))
    body = "cron:\n"
    for i in range(args.jobs):
        body += (f"  - name: j{i}\n    program: {h['stamp']}\n    args: {jobs_out} exit {i}\n"
                 f"    spec: \"{i % 60} * * * * *\"\n")
    conf = write_conf(b, tag, body)
    peer, cron_out = start_peer_cron(b, h) if with_peer else (None, None)
    daemon, ready_ns = start_cron_daemon(b, tag, asgard_argv(asgard, conf, variant))
    cpu0 = bl.proc_cpu_ns(daemon.pid)
    end_ns = ready_ns + int(args.seconds * NS)
    bl.log(f"phase 1 ({variant}): {args.jobs} jobs for {args.seconds:.0f} s; serial batches of "
           f"{per_second} at x.5 s, started at once (even seconds) or woken then (odd) ...")
    serial_t0, woken_t0 = {}, {}
    k = 0
    while True:
        now = time.time_ns()
        nxt = (now // NS + 1) * NS + NS // 2  # next x.5 s
        if nxt >= end_ns:
            break
        if (nxt // NS) % 2:
            # woken: started 200 ms early, it sleeps until x.5 s itself
            time.sleep(max(0, (nxt - now) / NS - 0.2))
            woken_t0[f"w{k}"] = serial_spawn(h, per_second, serial_out, f"w{k}", at_ns=nxt)
        else:
            time.sleep((nxt - now) / NS)
            serial_t0[f"s{k}"] = serial_spawn(h, per_second, serial_out, f"s{k}")
        k += 1
    time.sleep(max(0, (end_ns - time.time_ns()) / NS) + 1.5)  # let the last batch finish
    res["cpu_ms"] = (bl.proc_cpu_ns(daemon.pid) - cpu0) / 1e6
    res["rss_kb"] = bl.proc_mem(daemon.pid).get("VmRSS")
    res["spawn_path"] = bl.spawn_path(b.path(tag, "runtime", "cron.log"))
    daemon.stop()
    if peer:
        peer.stop()

    window_lo = ready_ns // NS + 1  # first whole second after the daemon was ready
    window_hi = end_ns // NS  # last scheduled second counted
    lateness, by_second, fires = [], {}, {}
    for ns, pid, stamp_tag in bl.read_stamps(jobs_out):
        i = int(stamp_tag)
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
    woken = serial_figures(bl.read_stamps(serial_out), woken_t0)
    res["all"] = bl.summary_ms(lateness)
    res["first_of_second"] = bl.summary_ms(firsts)
    res["last_of_second"] = bl.summary_ms(lasts)
    res["seconds_measured"] = len(by_second)
    res["fires"] = len(lateness)
    res["expected_fires"] = len(expected)
    res["missed"] = len(missed)
    res["missed_examples"] = [f"j{i}@{time.strftime('%H:%M:%S', time.gmtime(s))}"
                              for i, s in missed[:10]]
    res["duplicated"] = len(dup)
    res["serial_batch_first"] = bl.summary_ms([v[0] for v in serial.values()])
    res["serial_batch_last"] = bl.summary_ms([v[1] for v in serial.values()])
    res["woken_batch_first"] = bl.summary_ms([v[0] for v in woken.values()])
    # per second: is the last exec within the serial time of a batch of that size?
    serial_p50 = res["serial_batch_last"].get("p50", float("nan"))
    res["seconds_last_within_serial_p50"] = sum(1 for v in lasts if v / 1e6 <= serial_p50)
    if cron_out is not None:
        cron_late = [ns - (ns // (60 * NS)) * 60 * NS for ns, _, _ in bl.read_stamps(cron_out)]
        res["cron"] = bl.summary_ms(cron_late)
        res["cron_samples_ms"] = [round(v / 1e6, 1) for v in cron_late]
    return res


def phase2(b, h, args, asgard, variant):
    """Bursts of timings due at the same second, alternating with the serial spawn of as many
    processes (never at the same time), --rounds times."""
    rounds = []
    for r in range(args.rounds):
        rnd = {}
        name = f"burst{r}" if variant == "cgroup" else f"burst{r}-nocg"
        serial_big = b.path(f"serial-{name}.stamps")
        t0 = serial_spawn(h, args.burst, serial_big, "before")
        before = serial_figures(bl.read_stamps(serial_big), {"before": t0})["before"]
        rnd["serial_before_ms"] = before[1] / 1e6
        time.sleep(1)
        burst_out = b.path(f"{name}.stamps")
        os.makedirs(b.path(name))
        due_s = time.time_ns() // NS + 5 + args.burst // 250
        due = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(due_s))
        body = "timing:\n"
        for i in range(args.burst):
            body += (f"  - name: t{i}\n    program: {h['stamp']}\n"
                     f"    args: {burst_out} exit t{i}\n    time: \"{due}\"\n")
        conf = write_conf(b, name, body)
        daemon, ready2 = start_cron_daemon(b, name, asgard_argv(asgard, conf, variant))
        if ready2 >= due_s * NS:
            raise RuntimeError("asgard cron was not ready before the burst was due")
        bl.log(f"phase 2 ({variant}), round {r + 1}/{args.rounds}: {args.burst} timings due at "
               f"{due} (serial spawn of {args.burst} just took {rnd['serial_before_ms']:.0f} ms) ...")
        cpu0 = bl.proc_cpu_ns(daemon.pid)
        try:
            bl.wait_for(lambda: len(bl.read_stamps(burst_out)) >= args.burst,
                        (due_s * NS - time.time_ns()) / NS + 60, 0.05, "the burst")
        except TimeoutError as e:
            bl.log(str(e))
        rnd["cpu_ms"] = (bl.proc_cpu_ns(daemon.pid) - cpu0) / 1e6
        rnd["spawn_path"] = bl.spawn_path(b.path(name, "runtime", "cron.log"))
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
        rounds.append(rnd)
        time.sleep(1)
    return rounds


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--burst", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3, help="burst rounds (default 3)")
    ap.add_argument("--cgroups", default="on,off",
                    help="run asgard cron with its cgroups (on), where cgroup2 is read-only "
                         "(off), or both (default on,off)")
    ap.add_argument("--no-cron", action="store_true", help="skip the Debian cron peer")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    asgard = bl.asgard_binary()
    bl.raise_nofile(4 * max(args.jobs, args.burst) + 1024)
    per_second = -(-args.jobs // 60)
    wanted = {"on": "cgroup", "off": "no cgroup"}
    variants = [wanted[v.strip()] for v in args.cgroups.split(",") if v.strip()]
    res = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": bl.machine_note(),
           "jobs": args.jobs, "seconds": args.seconds, "burst_count": args.burst,
           "serial_batch_size": per_second, "variants": {}}

    with bl.Bench("precision", keep=args.keep) as b:
        h = b.build_helpers()
        for k, variant in enumerate(variants):
            res["variants"][variant] = {
                "phase1": phase1(b, h, args, asgard, variant, k == 0 and not args.no_cron)}
        for variant in variants:
            res["variants"][variant]["rounds"] = phase2(b, h, args, asgard, variant)

    for variant, v in res["variants"].items():
        report(res, variant, v, per_second)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)


def report(res, variant, v, per_second):
    p1 = v["phase1"]
    f = lambda s, k: f"{s[k]:.2f}" if s.get("n") else "-"
    print(f"\n## asgard cron with {variant} (spawn path: {p1['spawn_path']})")
    print(f"# firing precision, {res['date']}; {res['machine']}")
    print(f"# phase 1: {res['jobs']} jobs 'N * * * * *' for {res['seconds']:.0f} s: "
          f"{p1['fires']} execs of {p1['expected_fires']} expected in {p1['seconds_measured']} "
          f"seconds; missed {p1['missed']} {p1['missed_examples']}; duplicated {p1['duplicated']}")
    rows = []
    for label, key in (("asgard cron, every exec", "all"),
                       ("asgard cron, first exec of each second", "first_of_second"),
                       ("asgard cron, last exec of each second", "last_of_second"),
                       (f"serial posix_spawn of {per_second}: first exec", "serial_batch_first"),
                       (f"serial posix_spawn of {per_second}: last exec", "serial_batch_last"),
                       ("woken floor: first exec after x.5 s", "woken_batch_first"),
                       ("cron `* * * * *` (vs the minute)", "cron")):
        s = p1.get(key)
        if s is None:
            continue
        rows.append([label, s.get("n", 0), f(s, "p50"), f(s, "p90"), f(s, "p99"), f(s, "max")])
    bl.print_table(["lateness after the scheduled second", "n", "p50 ms", "p90 ms", "p99 ms",
                    "max ms"], rows)
    if "cron_samples_ms" in p1:
        print(f"cron samples (ms after the minute): {p1['cron_samples_ms']}")
    print(f"asgard cron during phase 1: {p1['cpu_ms']:.0f} ms CPU, "
          f"RSS {p1['rss_kb'] / 1024:.1f} MiB")
    n_burst = res["burst_count"]
    print(f"\n# phase 2: {n_burst} timings due at the same second (ms after that second), each "
          f"round between two serial posix_spawns of {n_burst} stamps")
    rows = []
    for i, r in enumerate(v["rounds"]):
        rows.append([i + 1, r["started"], f"{r['first_ms']:.1f}", f"{r['p50_ms']:.0f}",
                     f"{r['last_ms']:.0f}", f"{r['serial_before_ms']:.0f}",
                     f"{r['serial_after_ms']:.0f}", f"{r['ratio']:.2f}", f"{r['cpu_ms']:.0f}"])
    bl.print_table(["round", "started", "asgard first ms", "asgard p50 ms", "asgard last ms",
                    f"serial {n_burst} before: last ms", "after: last ms",
                    "ratio asgard last / mean serial", "asgard CPU ms"], rows)
    first = p1["first_of_second"]
    serial_last = p1["serial_batch_last"]
    ratios = [r["ratio"] for r in v["rounds"]]
    print(f"\ntargets ({variant}):")
    if first.get("n"):
        for name, key in (("woken floor (sleep until the instant, spawn)", "woken_batch_first"),
                          ("one posix_spawn from a running program", "serial_batch_first")):
            floor = p1[key]
            over = first["p99"] - floor.get("p99", float("nan"))
            print(f"  first exec of each second p99 within the {name}'s p99 + 0.5 ms: "
                  f"{first['p99']:.2f} ms vs {floor.get('p99', float('nan')):.2f} ms "
                  f"({over:+.2f}) -> {'MET' if over <= 0.5 else 'MISSED'}; at p50 "
                  f"{first['p50']:.2f} vs {floor.get('p50', float('nan')):.2f} ms")
        print(f"  every exec within the serial spawn time of its batch: last exec of each second "
              f"p50 {p1['last_of_second']['p50']:.2f} / max "
              f"{p1['last_of_second']['max']:.2f} ms vs serial {per_second} p50 "
              f"{serial_last.get('p50', float('nan')):.2f} / max "
              f"{serial_last.get('max', float('nan')):.2f} ms (ratio of the p50s "
              f"{p1['last_of_second']['p50'] / serial_last.get('p50', float('nan')):.2f}); "
              f"seconds whose last exec is within the serial p50: "
              f"{p1['seconds_last_within_serial_p50']}/{p1['seconds_measured']}")
    if ratios:
        med = statistics.median(ratios)
        all_started = all(r["started"] == n_burst for r in v["rounds"])
        print(f"  burst no slower than the serial spawn: median ratio last/serial {med:.2f} over "
              f"{len(ratios)} rounds -> {'MET' if med <= 1.0 and all_started else 'MISSED'}"
              f"{'' if all_started else ' (some timings did not start)'}")
    print(f"  no missed fires: {'MET' if p1['missed'] == 0 and p1['duplicated'] == 0 else 'MISSED'}")


if __name__ == "__main__":
    main()
