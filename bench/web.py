"""Web API throughput (issue 4): `asgard all` with the original's baseline set in its store
(10 agents, 500 apps, 200 jobs, 100 timings, and a day of monitor samples of the benched app
among 200 other apps' samples, issue 10), wrk on GET /api/v1/apps?page=1,
GET /api/v1/monitor/app and POST /api/v1/apps/:id/restart, next to nginx (Debian) serving the
same apps-list response as a static file in the same run; GET /health (no session, no store)
shows what the HTTP server alone costs.

  bench/run.sh web [--seconds 15] [--connections 32] [--threads 2] [--only monitor]
Needs: apt-get install -y wrk nginx-light
"""

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

PASSWORD = "Bench-pass-2026"


def call(base, method, path, token=None, body=None, form=None):
    data, headers = None, {}
    if form is not None:
        data = "&".join(f"{k}={v}" for k, v in form.items()).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())["data"]


def seed(db_path):
    """The baseline set, written straight into the store (10 agents; tasks on agent 1-10)."""
    c = sqlite3.connect(db_path, timeout=30)
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    with c:
        for i in range(2, 11):
            c.execute("INSERT INTO agents (ip, port, status, created_at, updated_at) "
                      "VALUES (?, ?, 0, ?, ?)", (f"10.0.0.{i}", "27149", now, now))
        ids = [r[0] for r in c.execute("SELECT id FROM agents ORDER BY id")]
        for table, n, extra_cols, extra_vals in (
                ("apps", 500, "", ()), ("jobs", 200, ", spec", ("*/5 * * * *",)),
                ("timings", 100, ", `time`", ("2030-01-01 00:00:00",))):
            for i in range(n):
                c.execute(f"INSERT INTO {table} (name, agent_id, program, args, status, "
                          f"created_at, creator, updated_at, updator, desired{extra_cols}) "
                          f"VALUES (?, ?, 'sleep', '1000', 2, ?, 1, ?, 1, 2"
                          f"{', ?' * len(extra_vals)})",
                          (f"{table}-{i}", ids[i % len(ids)], now, now, *extra_vals))
    c.close()


def seed_monitor(db_path, app_id, other_ids, points=8640, step_s=10):
    """Monitor samples as monitored apps leave them: `points` samples of app `app_id`, one per
    `step_s` up to now (a day at the agent's default 10 s), and a sixth as many of each of
    `other_ids` at 6x the step, so that the app's rows sit among other tasks' in the monthly
    tables. A month without a table gets one like the store's (its DDL from sqlite_master)."""
    c = sqlite3.connect(db_path, timeout=30)
    now = int(time.time())
    template = c.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                         "name LIKE 'monitors%' ORDER BY name LIMIT 1").fetchone()[0]
    ddl = [sql for (sql,) in c.execute("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND "
                                       "sql IS NOT NULL ORDER BY type DESC", (template,))]
    rows = {}
    for task, step, n in [(app_id, step_s, points)] + [(o, 6 * step_s, points // 6)
                                                        for o in other_ids]:
        for i in range(n):
            t = time.gmtime(now - (n - 1 - i) * step)
            rows.setdefault("monitors_" + time.strftime("%Y%m", t), []).append(
                (2, task, f"seed-{task}", i + 1, 1000 + task, (i % 50) / 10.0,
                 100.0 + i % 300, 4, time.strftime("%Y-%m-%d %H:%M:%S", t)))
    with c:
        for table, batch in rows.items():
            if not c.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
                for sql in ddl:  # the table first ('table' > 'index'), then its index
                    c.execute(sql.replace(template, table))
            c.executemany(f"INSERT INTO {table} (type, related_id, uuid, seq, pid, cpu, memory, "
                          "threads, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
    c.close()
    return sum(len(b) for b in rows.values())  # of every task


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / bl.CLK_TCK


def wrk(url, args, token, script=None):
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.seconds}s",
           "--latency", "-H", f"Authorization: Bearer {token}"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "total": total, "p50": pct(50), "p99": pct(99),
            "errors": int(non2xx.group(1)) if non2xx else 0}


def start_all(b):
    """`asgard all` in the bench's temp dir on free ports; (its process, http://host:port)."""
    conf = b.path("conf")
    os.makedirs(conf)
    with open(os.path.join(conf, "app.yaml"), "w") as f:
        f.write(f"runtime_dir: {b.path('runtime')}\ncomponent: {{log: {{level: warn}}}}\n"
                "web: {port: 0}\nmaster: {port: 0}\nagent: {rpc: {port: 0}}\n")
    daemon = b.start("asgard", [bl.asgard_binary(), "all", "-c", conf])
    addr = b.path("runtime", "web.addr")
    bl.wait_for(lambda: os.path.exists(addr) and open(addr).read().strip(), 30, interval=0.05,
                what="web.addr")
    host, port = open(addr).read().strip().rsplit(":", 1)
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    return daemon, f"http://{host}:{port}"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default="",
                    help="run only the requests whose name contains this text (e.g. monitor)")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    bl.need("wrk", "wrk")
    bl.need("nginx", "nginx-light")
    print(bl.machine_note())
    rows = []
    with bl.Bench("web", keep=args.keep) as b:
        daemon, base = start_all(b)
        token = call(base, "POST", "/api/v1/auth/login",
                     form={"username": "admin", "password": "123456"})["token"]
        token = call(base, "POST", "/api/v1/auth/change_password", token,
                     {"old_password": "123456", "password": PASSWORD})["token"]
        bl.wait_for(lambda: call(base, "GET", "/api/v1/agents", token)["total"] >= 1, 30,
                    interval=0.1, what="local agent")
        seed(b.path("runtime", "asgard.db"))
        page = call(base, "GET", "/api/v1/apps?page=1", token)
        assert page["total"] == 500, page["total"]
        app = call(base, "POST", "/api/v1/apps", token,
                   {"name": "restarted", "agent_id": 1, "program": "sleep", "args": "1000"})
        call(base, "POST", f"/api/v1/apps/{app['id']}/start", token)
        samples = seed_monitor(b.path("runtime", "asgard.db"), app["id"], range(1, 201))
        points = call(base, "GET", f"/api/v1/monitor/app?app_id={app['id']}", token)
        assert len(points) == 100, len(points)
        # The same response as a static file for nginx.
        www = b.path("www")
        os.makedirs(os.path.join(www, "api"))
        with urllib.request.urlopen(urllib.request.Request(
                base + "/api/v1/apps?page=1", headers={"Authorization": f"Bearer {token}"})) as r:
            body = r.read()
        with open(os.path.join(www, "api", "apps.json"), "wb") as f:
            f.write(body)
        with open(b.path("nginx.conf"), "w") as f:
            f.write(f"user root;\nworker_processes 2;\ndaemon off;\npid {b.path('nginx.pid')};\n"
                    f"error_log {b.path('nginx.err')};\nevents {{ worker_connections 1024; }}\n"
                    f"http {{ access_log off; server {{ listen 127.0.0.1:0; root {www}; }} }}\n")
        # nginx cannot listen on port 0: pick a free one.
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            nport = s.getsockname()[1]
        text = open(b.path("nginx.conf")).read().replace("127.0.0.1:0", f"127.0.0.1:{nport}")
        open(b.path("nginx.conf"), "w").write(text)
        b.start("nginx", ["nginx", "-c", b.path("nginx.conf"), "-p", b.tmp])
        time.sleep(1)
        restart_lua = b.path("post.lua")
        with open(restart_lua, "w") as f:
            f.write('wrk.method = "POST"\nwrk.body = "{}"\n'
                    'wrk.headers["Content-Type"] = "application/json"\n')
        for name, url, script in (
                ("GET /api/v1/apps?page=1", base + "/api/v1/apps?page=1", None),
                ("GET /api/v1/monitor/app", base + f"/api/v1/monitor/app?app_id={app['id']}", None),
                ("POST /api/v1/apps/:id/restart", base + f"/api/v1/apps/{app['id']}/restart",
                 restart_lua),
                # No session, no store, no JSON: what cpp-httplib alone costs per request.
                ("GET /health (the HTTP server's floor)", base + "/health", None),
                ("nginx: the apps page as a static file", f"http://127.0.0.1:{nport}/api/apps.json",
                 None)):
            if args.only not in name:
                continue
            cpu0 = cpu_seconds(daemon.pid)
            r = wrk(url, args, token, script)
            # CPU per request: less sensitive than requests/s to other jobs on the machine.
            cpu = "-" if name.startswith("nginx") else \
                f"{1e6 * (cpu_seconds(daemon.pid) - cpu0) / max(r['total'], 1):.0f}"
            rows.append([name, f"{r['rps']:.0f}", f"{r['p50']:.2f}", f"{r['p99']:.2f}",
                         str(r["errors"]), cpu])
    print(f"# wrk -t{args.threads} -c{args.connections} -d{args.seconds}s; response of the apps "
          f"page: {len(body)} bytes; monitor: the newest 100 of the app's 8640 samples "
          f"({samples} seeded in all)")
    bl.print_table(["request", "requests/s", "p50 ms", "p99 ms", "non-2xx", "asgard CPU us/req"],
                   rows)


if __name__ == "__main__":
    main()
