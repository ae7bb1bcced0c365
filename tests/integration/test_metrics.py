"""/health and /metrics of a master and an agent (metrics_port, issue 14): served on port 0 with
the bound address in <runtime_dir>/<role>.metrics.addr, facts and Prometheus families of each
role, the agent's health degraded (503) once its master is gone, and a clear error naming the
key when the port is taken."""

import json
import re
import socket
import urllib.error
import urllib.request

import pytest

from asgard_harness import wait_until
from fleet_harness import WebStandIn, agent_yaml, free_port, master_yaml, node


def get(addr, path):
    """(status, content type, body) of GET http://addr/path."""
    try:
        with urllib.request.urlopen(f"http://{addr}{path}", timeout=5) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def health(addr):
    status, ctype, body = get(addr, "/health")
    assert ctype.startswith("application/json"), ctype
    return status, json.loads(body)


def metric(text, name, labels=""):
    """The value of sample `name{labels}` in Prometheus text, or None."""
    m = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def metrics_addr(d):
    path = d.runtime(f"{d.role}.metrics.addr")
    wait_until(path.exists, 10, f"{path}")
    return path.read_text().strip()


@pytest.fixture
def pair(asgard):
    """A master and an agent, both with metrics_port 0."""
    port = free_port()
    master = node(asgard, "master", "master", master_yaml(port, metrics_port=0))
    master.start("-c", str(master.conf_dir))
    agent = node(asgard, "agent", "agent", agent_yaml(port, metrics_port=0))
    agent.start("-c", str(agent.conf_dir))
    return master, agent, port


def test_master_serves_health_and_metrics(pair):
    master, agent, port = pair
    addr = metrics_addr(master)
    assert addr.startswith("127.0.0.1:") and not addr.endswith(":0")
    assert f"http://{addr}" in master.log()

    def one_online():
        status, h = health(addr)
        return h if status == 200 and h.get("agents_online") == 1 else None
    h = wait_until(one_online, 20, "the master's /health to count the agent online")
    assert h["status"] == "ok" and h["role"] == "master"
    assert h["store_reachable"] is True
    assert h["address"] == master.address()

    def beats():
        status, ctype, text = get(addr, "/metrics")
        assert status == 200 and ctype.startswith("text/plain"), (status, ctype)
        n = metric(text, "asgard_master_heartbeats_total")
        return text if n and n >= 1 else None
    text = wait_until(beats, 20, "heartbeats counted in the master's /metrics")
    assert "# TYPE asgard_master_heartbeats_total counter" in text
    assert metric(text, "asgard_master_agents", '{status="online"}') == 1
    assert metric(text, "asgard_master_store_up") == 1
    assert metric(text, "asgard_master_registrations_total") >= 1
    assert metric(text, "asgard_master_store_errors_total") == 0
    assert metric(text, "process_resident_memory_bytes") > 0
    assert metric(text, "process_threads") >= 1
    # Nothing else is served there.
    assert get(addr, "/api/v1/tasks")[0] == 404


def test_agent_serves_health_and_metrics_and_degrades_without_its_master(pair):
    master, agent, port = pair
    addr = metrics_addr(agent)
    assert addr.startswith("127.0.0.1:")

    web = WebStandIn(master)
    app = web.add("app", web.agent_id(agent), "sleeper", "sleep", "300", auto_restart=1)
    assert app

    def running():
        status, h = health(addr)
        return h if status == 200 and h.get("tasks_running") == 1 else None
    h = wait_until(running, 20, "the agent's /health to count its running app")
    assert h["status"] == "ok" and h["role"] == "agent"
    assert h["master"] == f"127.0.0.1:{port}"
    assert h["master_connected"] is True and h["agent_id"] >= 1
    assert h["tasks"] == 1 and h["spool_pending_batches"] >= 0

    def beats():
        text = get(addr, "/metrics")[2]
        n = metric(text, "asgard_agent_heartbeats_total")
        return text if n and n >= 1 else None
    text = wait_until(beats, 20, "heartbeats counted in the agent's /metrics")
    assert metric(text, "asgard_agent_master_connected", f'{{master="127.0.0.1:{port}"}}') == 1
    assert metric(text, "asgard_agent_tasks", '{kind="app",state="running"}') == 1
    assert metric(text, "asgard_agent_spool_pending_batches") is not None
    assert metric(text, "asgard_agent_task_restarts") == 0
    assert metric(text, "process_open_fds") > 0

    master.proc.kill()  # kill -9: the agent's calls now fail
    master.proc.wait(10)

    def degraded():
        status, h = health(addr)
        return h if status == 503 else None
    h = wait_until(degraded, 30, "the agent's /health to turn 503 without its master")
    assert h["status"] == "degraded" and h["master_connected"] is False
    assert any("has not answered" in p for p in h["problems"]), h
    assert h["tasks_running"] == 1  # the app runs on
    text = get(addr, "/metrics")[2]
    assert metric(text, "asgard_agent_master_connected", f'{{master="127.0.0.1:{port}"}}') == 0
    assert metric(text, "asgard_agent_heartbeat_failures_total") >= 1

    # A clean stop removes the address file with the listener.
    assert agent.stop() == 0
    assert not agent.runtime("agent.metrics.addr").exists()


def test_without_metrics_port_nothing_is_served(asgard):
    port = free_port()
    master = node(asgard, "master", "master", master_yaml(port))
    master.start("-c", str(master.conf_dir))
    assert not master.runtime("master.metrics.addr").exists()


@pytest.mark.parametrize("role", ["master", "agent"])
def test_a_taken_metrics_port_is_a_clear_error_naming_the_key(asgard, role):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        port = free_port()
        text = (master_yaml(port, metrics_port=busy) if role == "master"
                else agent_yaml(port, metrics_port=busy))
        d = node(asgard, role, role, text)
        d.spawn("-c", str(d.conf_dir))
        assert d.wait_exit() == 1
        err = d.output()[1]
        assert f"{role}.metrics_port: cannot listen on 127.0.0.1:{busy}" in err, err
        assert not d.runtime(f"{role}.metrics.addr").exists()
