#!/usr/bin/python3
"""Ingest: how many monitor samples per second one master stores, and how fast it acks a report.

For each backend (--backends, default `sqlite,mariadb`, in that order), one `asgard master` on a
fresh store, and bench/ingest/ingest_load.cc (built here with `cmake --build BUILD --target
ingest_load`) playing --agents (default 1,000) agents. Each agent registers, then every
--interval (10) s sends one Report with --processes (100) monitor samples and
--archives-per-report (1) run archives, the agents' phases spread evenly over the interval:
10,000 samples/s and 100 reports/s offered by default. After --warmup (10) s the generator
measures for --duration (60) s: samples/s stored (acked inside the window / seconds), report
latency from send to ack (p50/p95/p99/max), failed reports. Over the same window this script reads
the master's CPU time (utime + stime, /proc/PID/stat), and at its end the master's RSS and peak
RSS (VmRSS, VmHWM), plus the CPU of the MariaDB server and of the generator itself (all of them
share the machine's cores).

MariaDB is a throw-away server from scripts/test-services/mariadb.sh (start, then stop in
`finally`), with a database `asgard_bench` created for the run. SQLite is the master's default
file in its runtime_dir.

Target (issue 3): 10,000 samples/s sustained with p99 under 50 ms, on both backends. "Sustained"
here: at least 99% of the offered rate stored inside the window (the edges of the window cost a
few reports), and no failed report.

    /usr/bin/python3 bench/ingest.py [--agents 1000] [--processes 100] [--interval 10]
        [--duration 60] [--backends sqlite,mariadb]
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

TOKEN = "bench-token"
TARGET_SAMPLES = 10000
TARGET_P99_MS = 50.0
MARIADB_SH = os.path.join(bl.REPO, "scripts", "test-services", "mariadb.sh")
DATABASE = "asgard_bench"


def build_load(build_dir):
    """Builds ingest_load in build_dir (configured beforehand); returns its path."""
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        sys.exit(f"{build_dir} is not a configured build dir: cmake -S {bl.REPO} -B {build_dir}")
    bl.log(f"building ingest_load in {build_dir} ...")
    r = subprocess.run(["cmake", "--build", build_dir, "--target", "ingest_load"],
                       stdout=sys.stderr, stderr=sys.stderr)
    if r.returncode != 0:
        sys.exit("cmake --build ... --target ingest_load failed")
    return os.path.join(build_dir, "bench", "ingest_load")


# ---------------------------------------------------------------- MariaDB

class MariaDB:
    """A throw-away server from scripts/test-services/mariadb.sh, with the database DATABASE."""

    def __init__(self):
        self.dir = None
        self.port = None

    def start(self):
        env = dict(os.environ, BENCH_RUN_ID=bl.RUN_ID)  # the marker: killed at cleanup if left
        r = subprocess.run(["bash", MARIADB_SH, "start"], capture_output=True, text=True, env=env,
                           timeout=600)
        exports = dict(line[len("export "):].split("=", 1) for line in r.stdout.splitlines()
                       if line.startswith("export ") and "=" in line)
        self.dir = exports.get("ASGARD_MARIADB_DIR")
        if r.returncode != 0 or "ASGARD_TEST_MYSQL" not in exports:
            raise RuntimeError(f"mariadb.sh start failed: {r.stderr.strip()[-2000:]}")
        self.port = urllib.parse.urlparse(exports["ASGARD_TEST_MYSQL"]).port
        client = bl.need("mariadb", "mariadb-client")
        subprocess.run([client, "--no-defaults", "-uroot", f"--socket={self.dir}/mysqld.sock",
                        "-e", f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4"],
                       check=True, capture_output=True, timeout=60)
        bl.log(f"mariadb on 127.0.0.1:{self.port} ({self.dir})")

    def pid(self):
        with contextlib.suppress(OSError, ValueError):
            with open(os.path.join(self.dir, "server.pid")) as f:
                return int(f.read().strip())
        return None

    def stop(self):
        if not self.dir:
            return
        server = self.pid()
        stop = subprocess.Popen(["bash", MARIADB_SH, "stop", self.dir], stdout=sys.stderr,
                                stderr=sys.stderr)
        # The bench is a child subreaper, so mariadbd (orphaned by `start`) is our child now: reap
        # it, or mariadb.sh sees the zombie as alive and waits 30 s before a SIGKILL.
        deadline = time.monotonic() + 120
        while stop.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError, TypeError):
                os.waitpid(server, os.WNOHANG)
            time.sleep(0.05)
        if stop.poll() is None:
            stop.kill()
            stop.wait()
        self.dir = None


# ---------------------------------------------------------------- one backend

def master_conf(b, backend, db_port):
    conf = b.path(backend, "conf")
    os.makedirs(conf)
    if backend == "sqlite":
        db = "{driver: sqlite}"
    else:
        db = (f'{{driver: mysql, host: 127.0.0.1, port: {db_port}, user: root, password: "", '
              f"database: {DATABASE}}}")
    with open(os.path.join(conf, "app.yaml"), "w") as f:
        f.write(f"runtime_dir: {b.path(backend, 'runtime')}\n"
                f"rpc:\n  token: {TOKEN}\n"
                f"component:\n  log: {{level: warn}}\n  db:\n    asgard: {db}\n"
                "master:\n  ip: 127.0.0.1\n  port: 0\n")
    return conf


def start_master(b, asgard, backend, db_port):
    conf = master_conf(b, backend, db_port)
    d = b.start(f"master-{backend}", [asgard, "master", "-c", conf], cwd=b.path(backend))
    addr_file = b.path(backend, "runtime", "master.addr")

    def addr():
        if not d.alive():
            raise RuntimeError(f"master exited early: {d.console()[-2000:]}")
        with contextlib.suppress(OSError):
            with open(addr_file) as f:
                text = f.read().strip()
            return text if ":" in text else None
        return None
    t0 = time.monotonic()
    target = bl.wait_for(addr, 60, 0.02, addr_file)
    bl.log(f"master ({backend}) pid {d.pid} on {target} after {time.monotonic() - t0:.2f} s")
    return d, target


def cpu_of(pids):
    return {k: bl.proc_stat_cpu(p) if p else 0.0 for k, p in pids.items()}


def run_load(b, load, target, pids, args):
    """Runs ingest_load; samples CPU of pids between its window markers. Returns figures."""
    argv = [load, "--target", target, "--token", TOKEN, "--agents", str(args.agents),
            "--processes", str(args.processes), "--interval", str(args.interval),
            "--archives-per-report", str(args.archives_per_report),
            "--duration", str(args.duration), "--warmup", str(args.warmup),
            "--channels", str(args.channels)]
    out_path = b.path(f"ingest_load.{os.getpid()}.{time.monotonic_ns()}.out")
    with open(out_path, "w") as out:
        gen = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, BENCH_RUN_ID=bl.RUN_ID))
        pids = dict(pids, generator=gen.pid)
        cpu0 = cpu1 = t0 = t1 = None
        tail = []
        for line in gen.stderr:
            bl.log(line.rstrip())
            tail = (tail + [line])[-20:]
            if line.startswith("ingest_load: measuring"):
                t0, cpu0 = time.monotonic(), cpu_of(pids)
            elif line.startswith("ingest_load: window over"):
                t1, cpu1 = time.monotonic(), cpu_of(pids)
                mem = bl.proc_mem(pids["master"])
        rc = gen.wait()
    with open(out_path) as f:
        lines = f.read().splitlines()
    if rc == 2 or not lines or cpu1 is None:
        raise RuntimeError(f"ingest_load failed (exit {rc}): {''.join(tail).strip()}")
    figures = json.loads(lines[-1])
    window = t1 - t0
    figures["cpu_pct"] = {k: 100.0 * (cpu1[k] - cpu0[k]) / window for k in cpu0}
    figures["window_wall_s"] = window
    figures["master_rss_kb"] = mem.get("VmRSS")
    figures["master_hwm_kb"] = mem.get("VmHWM")
    figures["master_threads"] = mem.get("Threads")
    return figures


def store_bytes(b, backend):
    """Size of the SQLite files (the database and its WAL); None for MariaDB."""
    if backend != "sqlite":
        return None
    runtime = b.path(backend, "runtime")
    return sum(os.path.getsize(os.path.join(runtime, n)) for n in os.listdir(runtime)
               if ".db" in n)


def run_backend(b, backend, asgard, load, args):
    db = MariaDB() if backend == "mariadb" else None
    try:
        if db:
            db.start()
        master, target = start_master(b, asgard, backend, db.port if db else None)
        figures = run_load(b, load, target, {"master": master.pid, "db": db.pid() if db else None},
                           args)
        if not master.alive():
            raise RuntimeError(f"master died during the run: {master.console()[-2000:]}")
        figures["store_bytes"] = store_bytes(b, backend)
        figures["master_stop_s"] = master.stop()
        return figures
    finally:
        if db:
            db.stop()


# ---------------------------------------------------------------- report

def verdict(f):
    offered = f["offered_samples_per_s"]
    if offered < TARGET_SAMPLES:
        return f"n/a: offered {offered:.0f} < {TARGET_SAMPLES:,} samples/s"
    rate_ok = f["samples_per_s"] >= 0.99 * offered and f["errors"] == 0
    p99_ok = f["latency_ms"]["p99"] < TARGET_P99_MS
    if rate_ok and p99_ok:
        return "MET"
    why = ([] if rate_ok else ["rate"]) + ([] if p99_ok else ["p99"])
    return "MISSED (" + ", ".join(why) + ")"


def report(results, args):
    rows = []
    mib = lambda kb: f"{kb / 1024:.1f}" if kb is not None else "-"
    for backend, f in results.items():
        if "error" in f:
            rows.append([backend, "failed: " + f["error"][:120]] + ["-"] * 9)
            continue
        lat, cpu = f["latency_ms"], f["cpu_pct"]
        rows.append([backend, f"{f['samples_per_s']:.0f} / {f['offered_samples_per_s']:.0f}",
                     f"{lat['p50']:.2f}", f"{lat['p99']:.2f}", f"{lat['max']:.1f}",
                     f["errors"], f"{cpu['master']:.1f}",
                     f"{mib(f['master_rss_kb'])} / {mib(f['master_hwm_kb'])}",
                     f"{cpu['db']:.1f}" if backend == "mariadb" else "-",
                     f"{cpu['generator']:.1f}", verdict(f)])
    print(f"# ingest, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; {bl.machine_note()}")
    print(f"# {args.agents} agents x {args.processes} processes every {args.interval:g} s "
          f"(+{args.archives_per_report} archives per report), {args.channels} connections; "
          f"{args.duration:g} s measured after {args.warmup:g} s; CPU in % of one core over the "
          "window; RSS at the end of the window / peak")
    bl.print_table(["backend", "samples/s stored / offered", "p50 ms", "p99 ms", "max ms",
                    "failed reports", "master CPU %", "master RSS / peak MiB", "mariadbd CPU %",
                    "generator CPU %",
                    f"target {TARGET_SAMPLES:,}/s, p99 < {TARGET_P99_MS:g} ms"], rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--processes", type=int, default=100, help="samples per report")
    ap.add_argument("--interval", type=float, default=10, help="seconds between reports")
    ap.add_argument("--archives-per-report", type=int, default=1)
    ap.add_argument("--duration", type=float, default=60, help="measured seconds")
    ap.add_argument("--warmup", type=float, default=10)
    ap.add_argument("--channels", type=int, default=4, help="gRPC connections of the generator")
    ap.add_argument("--backends", default="sqlite,mariadb")
    ap.add_argument("--build-dir", default=os.path.join(bl.REPO, "build"),
                    help="configured CMake build dir to build ingest_load in (default build/)")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    backends = [x.strip() for x in args.backends.split(",") if x.strip()]
    if not backends or set(backends) - {"sqlite", "mariadb"}:
        sys.exit("--backends: a list of sqlite, mariadb")
    asgard = bl.asgard_binary()
    load = build_load(os.path.abspath(args.build_dir))
    bl.raise_nofile()
    results = {}
    with bl.Bench("ingest", keep=args.keep) as b:
        for backend in backends:
            bl.log(f"==== {backend}")
            try:
                results[backend] = run_backend(b, backend, asgard, load, args)
            except (RuntimeError, TimeoutError, OSError, subprocess.SubprocessError) as e:
                bl.log(f"{backend}: {e}")
                results[backend] = {"error": " ".join(str(e).split())[:500] or repr(e)}
    report(results, args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": bl.machine_note(),
                       "args": vars(args), "results": results}, f, indent=2)
    if any("error" in f for f in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
