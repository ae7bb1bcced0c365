"""Helpers for the master/agent tests: a master and agents on loopback (port 0 for agents, a
free fixed port for the master so that it can be restarted where the agents look for it), and
a stand-in for the web node that writes tasks into the master's SQLite store the way the web
node will (desired state plus a bumped assignment version)."""

import json
import socket
import sqlite3
import time
import uuid

from asgard_harness import Daemon, wait_until

TOKEN = "fleet-test-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def master_yaml(port, token=TOKEN, extra="", metrics_port=None):
    head = "runtime_dir: runtime\n"
    if token is not None:
        head += f"rpc: {{token: {json.dumps(token)}}}\n"
    metrics = "" if metrics_port is None else f", metrics_port: {metrics_port}"
    return head + ("component:\n  log: {level: debug}\n"
                   f"master: {{ip: 127.0.0.1, port: {port}{metrics}}}\n{extra}")


def agent_yaml(master_port, token=TOKEN, extra="", port=0, metrics_port=None):
    head = "runtime_dir: runtime\n"
    if token is not None:
        head += f"rpc: {{token: {json.dumps(token)}}}\n"
    metrics = "" if metrics_port is None else f"  metrics_port: {metrics_port}\n"
    return head + ("component:\n  log: {level: debug}\n"
                   "system: {moniter: 1}\n"
                   f"agent:\n  rpc: {{ip: 127.0.0.1, port: {port}}}\n"
                   f"  master: {{ip: 127.0.0.1, port: {master_port}}}\n{metrics}{extra}")


class Node(Daemon):
    """`asgard master` or `asgard agent`: ready when its addr file appears."""

    def wait_ready(self, timeout=20.0):
        def ready():
            if self.proc.poll() is not None:
                out, err = self.output()
                raise AssertionError(
                    f"asgard {self.role} exited with {self.proc.returncode} before it was ready"
                    f"\nstdout: {out}\nstderr: {err}\nlog: {self.log()}")
            return self.addr_file.exists()
        wait_until(ready, timeout, f"asgard {self.role} to write {self.addr_file}")

    def address(self):
        return self.addr_file.read_text().strip()

    def agent_status(self):
        r = self.cli("status", "--json", "-c", str(self.conf_dir))
        assert r.returncode == 0, f"agent status failed: {r.stderr}"
        return json.loads(r.stdout)

    def agent_tasks(self):
        """{(kind, id): {definition, observed}} of `agent status --json`."""
        out = {}
        for t in self.agent_status().get("tasks", []):
            ref = t["definition"]["ref"]
            out[(ref["kind"], int(ref["id"]))] = t
        return out


def node(asgard, role, name, text):
    workdir = asgard.tmp_path / name
    workdir.mkdir(parents=True, exist_ok=True)
    d = Node(workdir, role, f"asgard-test-{uuid.uuid4()}", label=f"{role}-{name}")
    asgard.daemons.append(d)
    d.write_config(text)
    return d


KINDS = {"app": ("apps", "TASK_KIND_APP"), "job": ("jobs", "TASK_KIND_JOB"),
         "timing": ("timings", "TASK_KIND_TIMING")}


class WebStandIn:
    """Writes the master's SQLite store as the web node will (issue 4 brings the real one)."""

    def __init__(self, master):
        self.path = master.runtime("asgard.db")
        wait_until(lambda: self.path.exists(), 20, "the master's database")

    def db(self):
        c = sqlite3.connect(self.path, timeout=30)
        c.row_factory = sqlite3.Row
        return c

    def agent_id(self, agent):
        port = agent.address().rsplit(":", 1)[1]

        def find():
            with self.db() as c:
                row = c.execute("SELECT id FROM agents WHERE port = ?", (port,)).fetchone()
                return row["id"] if row else None
        return wait_until(find, 20, f"agent on port {port} registered")

    def add(self, kind, agent_id, name, program, args="", desired=1, **fields):
        table = KINDS[kind][0]
        now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        cols = {"name": name, "agent_id": agent_id, "program": program, "args": args,
                "status": -2, "created_at": now, "creator": 1, "updated_at": now,
                "updator": 1, "desired": desired}
        cols.update(fields)
        names = ", ".join(f"`{k}`" for k in cols)
        marks = ", ".join("?" for _ in cols)
        with self.db() as c:
            cur = c.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(cols.values()))
            c.execute("UPDATE agents SET assignment_version = assignment_version + 1 "
                      "WHERE id = ?", (agent_id,))
            return cur.lastrowid

    def set_desired(self, kind, task_id, desired):
        table = KINDS[kind][0]
        with self.db() as c:
            row = c.execute(f"SELECT agent_id FROM {table} WHERE id = ?", (task_id,)).fetchone()
            c.execute(f"UPDATE {table} SET desired = ? WHERE id = ?", (desired, task_id))
            c.execute("UPDATE agents SET assignment_version = assignment_version + 1 "
                      "WHERE id = ?", (row["agent_id"],))

    def task(self, kind, task_id):
        with self.db() as c:
            return dict(c.execute(f"SELECT * FROM {KINDS[kind][0]} WHERE id = ?",
                                  (task_id,)).fetchone())

    def agent(self, agent_id):
        with self.db() as c:
            return dict(c.execute("SELECT * FROM agents WHERE id = ?", (agent_id,)).fetchone())

    def rows(self, sql, *params):
        with self.db() as c:
            return [dict(r) for r in c.execute(sql, params).fetchall()]
