"""Helpers for the cluster tests: an etcd cluster of its own per test (scripts/test-services/
etcd.sh, so a test may stop members), a MariaDB database of its own on the test server
(ASGARD_TEST_MYSQL), masters with master.cluster: true and agents that find them in etcd."""

import base64
import json
import os
import re
import subprocess
import uuid

import pytest

from asgard_harness import wait_until
from fleet_harness import TOKEN, free_port, node

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ETCD_SH = os.path.join(ROOT, "scripts", "test-services", "etcd.sh")


def require_service(var, what):
    """The service's variable, or skip (fail under CI=true: the service should be there)."""
    value = os.environ.get(var, "")
    if not value:
        message = (f"{var} is not set: the {what} test service was not started (run the tests "
                   "through scripts/test-services/with-services.sh)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return value


class Etcd:
    """A throw-away etcd cluster; stopped (and its data removed) by stop()."""

    def __init__(self, members=3):
        if not os.path.exists("/usr/bin/etcd") and os.environ.get("CI") != "true":
            pytest.skip("etcd is not installed (scripts/install-deps.sh --test installs it)")
        r = subprocess.run([ETCD_SH, "start", str(members)], capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0, f"etcd.sh start failed: {r.stderr}"
        env = dict(re.findall(r"export (\w+)=(\S+)", r.stdout))
        self.dir = env["ASGARD_ETCD_DIR"]
        self.endpoints = env["ASGARD_TEST_ETCD"].split(",")

    def member(self, action, n):
        r = subprocess.run([ETCD_SH, "member", action, str(n), self.dir], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, f"etcd.sh member {action} {n}: {r.stderr}"

    def ctl(self, *args):
        env = dict(os.environ, ETCDCTL_API="3")
        r = subprocess.run(["etcdctl", f"--endpoints={','.join(self.endpoints)}",
                            "--command-timeout=3s", *args], capture_output=True, text=True,
                           env=env, timeout=30)
        assert r.returncode == 0, f"etcdctl {args}: {r.stderr}"
        return r.stdout

    def prefix(self, prefix):
        """{key: value} under prefix; {} while etcd does not answer (callers wait for a state,
        and a cluster regaining its quorum times out reads for a moment)."""
        try:
            lines = self.ctl("get", "--prefix", prefix).splitlines()
        except AssertionError:
            return {}
        return dict(zip(lines[0::2], lines[1::2]))

    def leader(self, cluster_name):
        """The cluster_id leading `cluster_name`, or None."""
        # Campaign keys hold each campaigner's id; the oldest (first created) leads.
        try:
            out = self.ctl("get", "--prefix", f"/Asgard-leader/{cluster_name}", "-w", "json")
        except AssertionError:
            return None
        kvs = json.loads(out).get("kvs", [])
        if not kvs:
            return None
        first = min(kvs, key=lambda kv: int(kv["create_revision"]))
        return base64.b64decode(first["value"]).decode()

    def stop(self):
        subprocess.run([ETCD_SH, "stop", self.dir], capture_output=True, timeout=60)


class MariaDb:
    """A database of its own on the test server, dropped by drop()."""

    def __init__(self):
        dsn = require_service("ASGARD_TEST_MYSQL", "MariaDB")
        m = re.match(r"mysql://(\w+)(?::([^@]*))?@([\d.]+):(\d+)/", dsn)
        assert m, f"ASGARD_TEST_MYSQL={dsn}: unexpected form"
        self.user, self.password, self.host, self.port = m.group(1), m.group(2) or "", \
            m.group(3), int(m.group(4))
        self.name = "asgard_cluster_" + uuid.uuid4().hex[:12]
        self.sql(f"CREATE DATABASE {self.name} CHARACTER SET utf8mb4", db="")

    def yaml(self):
        return (f"  db:\n    asgard: {{host: {self.host}, port: {self.port}, user: {self.user}, "
                f"password: {json.dumps(self.password)}, database: {self.name}}}\n")

    def sql(self, statement, db=None):
        args = ["mariadb", "--no-defaults", f"-h{self.host}", f"-P{self.port}", f"-u{self.user}",
                "-N", "-B", "-e", statement]
        if self.password:
            args.insert(5, f"-p{self.password}")
        if db is None:
            db = self.name
        if db:
            args.append(db)
        r = subprocess.run(args, capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, f"{statement}: {r.stderr}"
        return [line.split("\t") for line in r.stdout.splitlines()]

    def drop(self):
        try:
            self.sql(f"DROP DATABASE IF EXISTS {self.name}", db="")
        except AssertionError:
            pass


def master_cluster_yaml(db, etcd, cluster, cluster_id, port, ttl=2):
    """A master of `cluster`, with /health and /metrics on a free port (master.metrics.addr)."""
    return ("runtime_dir: runtime\n"
            f"rpc: {{token: {json.dumps(TOKEN)}}}\n"
            "component:\n  log: {level: debug}\n" + db.yaml() +
            f"master:\n  ip: 127.0.0.1\n  port: {port}\n  metrics_port: 0\n  cluster: true\n"
            f"  cluster_registry: {json.dumps(etcd.endpoints)}\n"
            f"  cluster_name: {cluster}\n  cluster_id: {cluster_id}\n  cluster_ttl: {ttl}\n")


def agent_cluster_yaml(etcd, cluster):
    return ("runtime_dir: runtime\n"
            f"rpc: {{token: {json.dumps(TOKEN)}}}\n"
            "component:\n  log: {level: debug}\n"
            "system: {moniter: 1}\n"
            "agent:\n  rpc: {ip: 127.0.0.1, port: 0}\n"
            f"  master:\n    cluster: true\n    cluster_registry: {json.dumps(etcd.endpoints)}\n"
            f"    cluster_name: {cluster}\n")


class Cluster:
    """Masters and agents of one cluster name, on one etcd and one database."""

    def __init__(self, asgard, etcd, db):
        self.asgard, self.etcd, self.db = asgard, etcd, db
        self.name = "c" + uuid.uuid4().hex[:8]
        self.masters = {}
        self.agents = {}

    def start_master(self, cluster_id, port=None, ttl=2):
        port = port or free_port()
        m = node(self.asgard, "master", f"master-{cluster_id}",
                 master_cluster_yaml(self.db, self.etcd, self.name, cluster_id, port, ttl))
        m.start("-c", str(m.conf_dir))
        m.cluster_port = port
        self.masters[cluster_id] = m
        return m

    def start_agent(self, name):
        a = node(self.asgard, "agent", name, agent_cluster_yaml(self.etcd, self.name))
        a.start("-c", str(a.conf_dir))
        self.agents[name] = a
        return a

    def health(self, master):
        """(HTTP status, JSON) of the master's /health."""
        import urllib.error
        import urllib.request
        address = master.runtime("master.metrics.addr").read_text().strip()
        try:
            with urllib.request.urlopen(f"http://{address}/health", timeout=5) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def registered(self):
        """{cluster_id: address} in etcd."""
        prefix = f"/Asgard/{self.name}/"
        return {k[len(prefix):]: v for k, v in self.etcd.prefix(prefix).items()}

    def leader(self):
        return self.etcd.leader(self.name)

    def agent_row(self, agent):
        """(id, status, master) of the agent's row in the store."""
        port = agent.address().rsplit(":", 1)[1]
        rows = self.db.sql(f"SELECT id, status, master FROM agents WHERE port = '{port}'")
        return (int(rows[0][0]), int(rows[0][1]), rows[0][2]) if rows else None

    def master_of(self, agent):
        row = self.agent_row(agent)
        return row[2] if row else None

    def add_job(self, agent, name, program, args="", spec="* * * * * *"):
        agent_id = wait_until(lambda: (self.agent_row(agent) or [None])[0], 30,
                              f"agent {agent.label} registered")
        self.db.sql(
            "INSERT INTO jobs (name, agent_id, program, args, spec, status, created_at, creator, "
            f"updated_at, updator, desired) VALUES ('{name}', {agent_id}, '{program}', '{args}', "
            f"'{spec}', -2, NOW(), 1, NOW(), 1, 1); "
            f"UPDATE agents SET assignment_version = assignment_version + 1 WHERE id = {agent_id}")
        return int(self.db.sql(f"SELECT id FROM jobs WHERE name = '{name}'")[0][0])
