"""Control latency: from a change to the app's process running on the agent (issue 3).

Two paths, one master and one agent on loopback (SQLite store):
  push  the web node's path: Agent.Add / Agent.Start over gRPC, until the process has exec'd
        (bench/control/control_latency.cc);
  pull  a task written to the store only (new row + assignment version bump, no push), until
        the agent notices at its next heartbeat and the process runs. This is how a lost push
        heals; it is bounded by the heartbeat interval (3 s).

  bench/run.sh control [--iterations 200] [--pull 15]
"""

import argparse
import json
import random
import os
import socket
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

TOKEN = "bench-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_tool():
    build = os.path.join(bl.REPO, "build")
    subprocess.run(["cmake", "--build", build, "--target", "control_latency"], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(build, "bench", "control_latency")


def write_conf(d, text):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "app.yaml"), "w") as f:
        f.write(text)


def wait_file(path, timeout=20):
    bl.wait_for(lambda: os.path.exists(path), timeout, interval=0.02, what=path)
    with open(path) as f:
        return f.read().strip()


def pids_with_arg(arg):
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                parts = f.read().split(b"\0")
        except OSError:
            continue
        if len(parts) > 1 and parts[0].endswith(b"sleep") and parts[1] == arg.encode():
            out.append(int(entry))
    return out


def pull_latency(db_path, agent_id, n):
    samples = []
    for i in range(n):
        marker = f"{7000000 + i}"
        now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        c = sqlite3.connect(db_path, timeout=30)
        t0 = time.monotonic_ns()
        with c:
            c.execute("INSERT INTO apps (name, agent_id, program, args, status, created_at, "
                      "creator, updated_at, updator, desired, auto_restart) "
                      "VALUES (?, ?, 'sleep', ?, -2, ?, 1, ?, 1, 1, 1)",
                      (f"pull-{i}", agent_id, marker, now, now))
            c.execute("UPDATE agents SET assignment_version = assignment_version + 1 "
                      "WHERE id = ?", (agent_id,))
        c.close()
        bl.wait_for(lambda: pids_with_arg(marker), 15, interval=0.002, what=f"pull app {i}")
        samples.append(time.monotonic_ns() - t0)
        # Changes arrive at random times against the 3 s heartbeat; wait past the quick beat
        # that follows an applied assignment.
        time.sleep(random.uniform(3.2, 6.2))
    return samples


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iterations", type=int, default=200, help="push-path adds (default 200)")
    ap.add_argument("--pull", type=int, default=15, help="pull-path changes (default 15)")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    asgard = bl.asgard_binary()
    tool = build_tool()
    print(bl.machine_note())
    with bl.Bench("control", keep=args.keep) as b:
        mport = free_port()
        write_conf(b.path("m"), f"runtime_dir: {b.path('m', 'runtime')}\nrpc: {{token: {TOKEN}}}\n"
                                f"component: {{log: {{level: warn}}}}\n"
                                f"master: {{ip: 127.0.0.1, port: {mport}}}\n")
        write_conf(b.path("a"), f"runtime_dir: {b.path('a', 'runtime')}\nrpc: {{token: {TOKEN}}}\n"
                                f"component: {{log: {{level: warn}}}}\n"
                                f"agent:\n  rpc: {{ip: 127.0.0.1, port: 0}}\n"
                                f"  master: {{ip: 127.0.0.1, port: {mport}}}\n")
        b.start("master", [asgard, "master", "-c", b.path("m")])
        wait_file(b.path("m", "runtime", "master.addr"))
        b.start("agent", [asgard, "agent", "-c", b.path("a")])
        agent_addr = wait_file(b.path("a", "runtime", "agent.addr"))
        db = b.path("m", "runtime", "asgard.db")
        port = agent_addr.rsplit(":", 1)[1]

        def agent_id():
            c = sqlite3.connect(db, timeout=30)
            row = c.execute("SELECT id FROM agents WHERE port = ?", (port,)).fetchone()
            c.close()
            return row[0] if row else None
        aid = bl.wait_for(agent_id, 20, interval=0.05, what="agent registered")
        out = subprocess.run([tool, "--target", agent_addr, "--token", TOKEN,
                              "--iterations", str(args.iterations)],
                             check=True, capture_output=True, text=True).stdout
        push = json.loads(out.strip().splitlines()[-1])
        pull = bl.summary_ms(pull_latency(db, aid, args.pull)) if args.pull > 0 else None
    rows = [["push: Agent.Add -> exec'd", push["iterations"], f"{push['add']['p50_ms']:.2f}",
             f"{push['add']['p99_ms']:.2f}", f"{push['add']['max_ms']:.2f}"],
            ["push: Agent.Start (paused app) -> exec'd", push["iterations"],
             f"{push['start']['p50_ms']:.2f}", f"{push['start']['p99_ms']:.2f}",
             f"{push['start']['max_ms']:.2f}"]]
    if pull:
        rows.append(["pull: store row only -> exec'd (heartbeat 3 s)", args.pull,
                     f"{pull['p50']:.1f}", f"{pull['p99']:.1f}", f"{pull['max']:.1f}"])
    bl.print_table(["path", "n", "p50 ms", "p99 ms", "max ms"], rows)


if __name__ == "__main__":
    main()
