"""A master and agents as real processes on loopback, with the store on SQLite: tasks written
to the store reach the right agent and run, runs are reported once, agents survive their
master and the master notices dead agents."""

import json
import os
import re
import stat
import signal
import subprocess
import time

import pytest

from asgard_harness import PYTHON, alive, wait_until
from fleet_harness import TOKEN, WebStandIn, agent_yaml, free_port, master_yaml, node


@pytest.fixture
def fleet(asgard):
    """A master on a free port and a function making agents that report to it."""
    port = free_port()
    master = node(asgard, "master", "master", master_yaml(port))
    master.start("-c", str(master.conf_dir))

    def make_agent(name, extra="", agent_port=0):
        a = node(asgard, "agent", name, agent_yaml(port, extra=extra, port=agent_port))
        a.start("-c", str(a.conf_dir))
        return a

    return master, port, make_agent


def running(agent, kind, task_id):
    t = agent.agent_tasks().get((kind, task_id))
    if t and t["observed"].get("state") == "running" and t["observed"].get("pid"):
        return t["observed"]["pid"]
    return None


def test_tasks_written_to_the_store_reach_the_right_agent_and_run(fleet, tmp_path):
    master, _, make_agent = fleet
    a, b = make_agent("a"), make_agent("b")
    web = WebStandIn(master)
    a_id, b_id = web.agent_id(a), web.agent_id(b)
    assert a_id != b_id
    out = tmp_path / "a-web.out"
    app_a = web.add("app", a_id, "web", "sleep", "300", auto_restart=1, std_out=str(out))
    app_b = web.add("app", b_id, "web", "sleep", "301", auto_restart=1)
    pid_a = wait_until(lambda: running(a, "TASK_KIND_APP", app_a), 20, "app on agent a")
    wait_until(lambda: running(b, "TASK_KIND_APP", app_b), 20, "app on agent b")
    assert ("TASK_KIND_APP", app_b) not in a.agent_tasks()
    assert ("TASK_KIND_APP", app_a) not in b.agent_tasks()
    with open(f"/proc/{pid_a}/cmdline", "rb") as f:
        assert f.read().split(b"\0")[:2] == [b"sleep", b"300"]
    # The master wrote what the agent observed; desired stays as the web node set it.
    row = wait_until(lambda: (lambda r: r if r["state"] == "running" else None)(
        web.task("app", app_a)), 20, "observed state in the store")
    assert row["pid"] == pid_a and row["status"] == 1 and row["desired"] == 1
    assert web.agent(a_id)["status"] == 1


def test_pause_in_the_store_stops_the_app(fleet):
    master, _, make_agent = fleet
    a = make_agent("a")
    web = WebStandIn(master)
    app = web.add("app", web.agent_id(a), "sleep", "sleep", "300", auto_restart=1)
    pid = wait_until(lambda: running(a, "TASK_KIND_APP", app), 20, "app running")
    web.set_desired("app", app, 2)
    # alive() reads /proc once: a check of exists() then open() raced with the reap.
    wait_until(lambda: not alive(pid), 20, "app stopped")
    row = wait_until(lambda: (lambda r: r if r["status"] == 2 else None)(web.task("app", app)),
                     20, "paused status")
    assert row["desired"] == 2


def test_kill_9_of_an_app_shows_a_new_run_and_an_archive_row(fleet):
    master, _, make_agent = fleet
    a = make_agent("a")
    web = WebStandIn(master)
    app = web.add("app", web.agent_id(a), "sleeper", "sleep", "300", auto_restart=1)
    pid = wait_until(lambda: running(a, "TASK_KIND_APP", app), 20, "app running")
    os.kill(pid, signal.SIGKILL)
    new_pid = wait_until(lambda: (lambda p: p if p and p != pid else None)(
        running(a, "TASK_KIND_APP", app)), 20, "a new run")
    assert new_pid != pid
    rows = wait_until(lambda: web.rows("SELECT * FROM archives WHERE type = 2 AND related_id = ?",
                                       app), 20, "archive row")
    assert len(rows) == 1
    assert rows[0]["pid"] == pid and rows[0]["status"] == -1 and rows[0]["signal"] == "killed"
    wait_until(lambda: web.task("app", app)["restarts"] == 1, 20, "restarts in the store")


def archived_uuids(agent_log, kind):
    return re.findall(rf"archive {kind} \S+: uuid=(\S+)", agent_log)


def test_reports_made_while_the_master_is_down_are_stored_exactly_once(fleet, tmp_path):
    master, port, make_agent = fleet
    a = make_agent("a")
    web = WebStandIn(master)
    agent_id = web.agent_id(a)
    # Load: a job failing every second (an archive and an exception per run) and a
    # monitored app (a sample per second).
    job = web.add("job", agent_id, "flaky", "sh", "-c 'echo run; exit 3'", spec="@every 1s")
    web.add("app", agent_id, "busy", "sleep", "300", auto_restart=1, is_monitor=1)
    wait_until(lambda: len(web.rows("SELECT id FROM archives WHERE type = 3")) >= 2, 30,
               "first archives")
    master.stop()
    time.sleep(6)  # runs go on; their reports wait in the agent's spool
    assert len(list(a.runtime("agent-spool").glob("*.batch"))) > 0
    master.start("-c", str(master.conf_dir))
    web.set_desired("job", job, 2)
    wait_until(lambda: web.task("job", job)["status"] == 2, 30, "job paused")
    time.sleep(2)  # a run started before the pause ends and is reported

    def all_delivered():
        return not list(a.runtime("agent-spool").glob("*.batch"))
    wait_until(all_delivered, 30, "the spool to drain")
    log = a.log()
    sent = archived_uuids(log, "job")
    assert len(sent) >= 8, "the job should have run through the outage"
    stored = [r["uuid"] for r in web.rows("SELECT uuid FROM archives WHERE type = 3")]
    assert sorted(stored) == sorted(set(sent)), "every archive stored, none twice"
    exceptions = web.rows("SELECT uuid FROM exceptions WHERE type = 3")
    assert sorted(r["uuid"] for r in exceptions) == sorted(set(sent))
    samples = web.rows("SELECT name FROM sqlite_master WHERE name LIKE 'monitors_%'")
    assert samples, "monitor table created"


def test_an_agent_restarted_without_its_master_runs_its_last_assignment(fleet):
    master, _, make_agent = fleet
    a = make_agent("a")
    web = WebStandIn(master)
    app = web.add("app", web.agent_id(a), "keep", "sleep", "300", auto_restart=1)
    pid = wait_until(lambda: running(a, "TASK_KIND_APP", app), 20, "app running")
    master.stop()
    a.proc.kill()  # kill -9: no clean stop
    a.proc.wait(10)
    wait_until(lambda: not os.path.exists(f"/proc/{pid}"), 10, "the old run to die with its agent")
    a.addr_file.unlink(missing_ok=True)
    a.start("-c", str(a.conf_dir))
    new_pid = wait_until(lambda: running(a, "TASK_KIND_APP", app), 20, "cached app running")
    assert new_pid != pid
    assert "cached assignment" in a.log()


def test_a_damaged_report_spool_does_not_stop_the_agent(fleet):
    master, _, make_agent = fleet
    a = make_agent("a", agent_port=free_port())  # the same agent for the master after a restart
    web = WebStandIn(master)
    app = web.add("app", web.agent_id(a), "keep", "sleep", "300", auto_restart=1)
    wait_until(lambda: running(a, "TASK_KIND_APP", app), 20, "app running")
    assert a.stop() == 0
    spool = a.runtime("agent-spool")
    old_stream = (spool / "stream").read_text().strip()
    (spool / "stream").write_bytes(b"\x00garbage")
    (spool / "acked").write_bytes(b"twelve\n")
    a.addr_file.unlink(missing_ok=True)
    a.start("-c", str(a.conf_dir))
    pid = wait_until(lambda: running(a, "TASK_KIND_APP", app), 20, "app running again")
    assert "moved aside" in a.log() and "starting a new report stream" in a.log()
    assert (spool / "stream.corrupt").exists() and (spool / "acked.corrupt").exists()
    new_stream = (spool / "stream").read_text().strip()
    assert len(new_stream) == 36 and new_stream != old_stream
    # Reports still reach the master, in the new stream.
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: web.rows("SELECT id FROM archives WHERE type = 2 AND related_id = ? "
                                "AND pid = ?", app, pid), 20, "the killed run's archive row")


def test_a_dead_agent_shows_offline_within_10_seconds_and_online_again(fleet):
    master, _, make_agent = fleet
    a = make_agent("a", agent_port=free_port())  # the same ip:port is the same agent
    web = WebStandIn(master)
    agent_id = web.agent_id(a)
    app = web.add("app", agent_id, "x", "sleep", "300", auto_restart=1)
    wait_until(lambda: running(a, "TASK_KIND_APP", app), 20, "app running")
    wait_until(lambda: web.task("app", app)["state"] == "running", 20, "observed running")
    a.proc.kill()
    a.proc.wait(10)
    killed = time.monotonic()
    wait_until(lambda: web.agent(agent_id)["status"] == 0, 12, "agent offline")
    assert time.monotonic() - killed <= 10.5
    assert web.task("app", app)["state"] == "unknown"
    assert web.task("app", app)["desired"] == 1
    a.addr_file.unlink(missing_ok=True)
    a.start("-c", str(a.conf_dir))
    wait_until(lambda: web.agent(agent_id)["status"] == 1, 20, "agent online again")
    wait_until(lambda: web.task("app", app)["state"] == "running", 20, "task observed again")


def test_calls_without_the_token_are_refused(fleet, asgard):
    master, port, make_agent = fleet
    a = make_agent("a")
    # An agent with another token cannot register.
    rogue = node(asgard, "agent", "rogue", agent_yaml(port, token="not-the-token"))
    rogue.start("-c", str(rogue.conf_dir))
    wait_until(lambda: "refuses this agent's token" in rogue.log(), 20, "refused registration")
    assert "rpc.token" in rogue.log()
    web = WebStandIn(master)
    assert len(web.rows("SELECT id FROM agents")) == 1
    # `agent status` needs no token: it reads the agent's own socket, which only its account
    # (root here) may open.
    assert stat.S_IMODE(os.stat(a.socket).st_mode) == 0o600
    bare = asgard.tmp_path / "bare"
    bare.mkdir()
    (bare / "app.yaml").write_text("runtime_dir: runtime\n")
    r = a.cli("status", "-c", str(bare), "-s", str(a.socket))
    assert r.returncode == 0, r.stderr
    r = a.cli("status", "-c", str(bare), "-s", str(bare / "asgard_agent"))  # no agent there
    assert r.returncode == 1
    assert "not running" in r.stderr
    r = a.cli("status", "-c", str(a.conf_dir), "-p", "1234")
    assert r.returncode == 2 and "socket" in r.stderr


def test_without_keys_roles_share_secrets_only_through_their_runtime_dir(asgard):
    """Loopback is not authentication: without keys every call still carries a secret that
    the roles of one runtime dir share (0600 files) and no other local account can read."""
    port = free_port()
    master = node(asgard, "master", "m", master_yaml(port, token=None).replace(
        "ip: 127.0.0.1", "ip: 0.0.0.0"))
    master.start("-c", str(master.conf_dir))
    assert master.address() == f"127.0.0.1:{port}"
    _, err = master.output()
    assert "no rpc.token" in err
    shared = str(master.runtime())
    a = node(asgard, "agent", "a", agent_yaml(port, token=None).replace(
        "rpc: {ip: 127.0.0.1, port: 0}", "rpc: {ip: 0.0.0.0, port: 0}").replace(
        "runtime_dir: runtime", f"runtime_dir: {shared}"))
    a.runtime_dir = shared
    a.start("-c", str(a.conf_dir))
    assert a.address().startswith("127.0.0.1:")
    _, err = a.output()
    assert "rpc.control_token_hash" in err  # what it would need to accept other hosts
    wait_until(lambda: "registered with the master" in a.log(), 20, "registration")
    for name in ("rpc.token", "control.token", "agent.key"):
        assert stat.S_IMODE(os.stat(master.runtime(name)).st_mode) == 0o600, name
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o700
    # Another runtime dir (another account's, say) holds other secrets: refused.
    other = node(asgard, "agent", "other", agent_yaml(port, token=None))
    other.start("-c", str(other.conf_dir))
    wait_until(lambda: "refuses this agent's token" in other.log(), 20, "refused registration")


def test_an_agent_across_hosts_without_rpc_token_is_a_config_error(asgard):
    a = node(asgard, "agent", "a", agent_yaml(9, token=None).replace(
        "master: {ip: 127.0.0.1", "master: {ip: 10.255.0.1"))
    a.spawn("-c", str(a.conf_dir))
    assert a.wait_exit() == 2
    _, err = a.output()
    assert "agent.master.ip 10.255.0.1 is another host: set rpc.token" in err


def test_an_assignment_larger_than_any_message_still_reaches_the_agent(fleet):
    """Issue 9: 300 tasks with 60 KiB of env each (about the API's limit) make an 18 MiB
    assignment, past gRPC's 16 MiB: it goes in pages, as do `agent status` and the heartbeat's
    observed states (1200 tasks: more than one call's worth), and after a restart the agent
    runs it again."""
    master, _, make_agent = fleet
    a = make_agent("a", agent_port=free_port())  # the same agent after its restart
    web = WebStandIn(master)
    a_id = web.agent_id(a)
    env = json.dumps({"BIG": "x" * (60 * 1024)})
    with web.db() as c:
        now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        for i in range(300):
            c.execute("INSERT INTO apps (name, agent_id, program, args, status, created_at, "
                      "creator, updated_at, updator, desired, env) "
                      "VALUES (?, ?, 'sleep', '60', -2, ?, 1, ?, 1, 2, ?)",
                      (f"big{i}", a_id, now, now, env))
        for i in range(900):
            c.execute("INSERT INTO apps (name, agent_id, program, status, created_at, creator, "
                      "updated_at, updator, desired) VALUES (?, ?, 'sleep', -2, ?, 1, ?, 1, 2)",
                      (f"tiny{i}", a_id, now, now))
        c.execute("UPDATE agents SET assignment_version = assignment_version + 1 WHERE id = ?",
                  (a_id,))
    web.add("app", a_id, "small", "sleep", "300", auto_restart=1)
    wait_until(lambda: len(a.agent_tasks()) == 1201, 60, "all 1201 tasks on the agent")
    small = lambda: next((t for t in a.agent_tasks().values()
                          if t["definition"]["name"] == "small"
                          and t["observed"].get("state") == "running"), None)
    wait_until(small, 30, "the small app running")
    assert "cannot pull" not in a.log()
    # The master has the observed state of every one of them.
    observed = lambda: web.rows("SELECT COUNT(*) AS n FROM apps WHERE agent_id = ? AND "
                                "state = 'stopped'", a_id)[0]["n"] == 1200
    wait_until(observed, 30, "1200 paused tasks observed stopped in the store")
    a.stop()
    a.start("-c", str(a.conf_dir))
    wait_until(lambda: len(a.agent_tasks()) == 1201, 60, "all 1201 tasks after a restart")
    wait_until(small, 30, "the small app running again")


def test_bad_config_exits_2_and_names_the_key(asgard):
    m = node(asgard, "master", "m", "master: {port: 99999}\n")
    m.spawn("-c", str(m.conf_dir))
    assert m.wait_exit() == 2
    _, err = m.output()
    assert "master.port" in err
    a = node(asgard, "agent", "a", "agent: {master: {port: nope}}\n")
    a.spawn("-c", str(a.conf_dir))
    assert a.wait_exit() == 2
    _, err = a.output()
    assert "agent.master.port" in err


def make_certs(d):
    """A test CA and one certificate for 127.0.0.1 good for server and client use."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=asgard-test-ca")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "node.key", "-out", "node.csr",
        "-subj", "/CN=127.0.0.1")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n"
                               "extendedKeyUsage=serverAuth,clientAuth\n")
    run("x509", "-req", "-in", "node.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "node.pem", "-days", "2", "-extfile", "ext.cnf")
    return {k: str(d / f) for k, f in (("cert", "node.pem"), ("key", "node.key"), ("ca", "ca.pem"))}


def test_mutual_tls_between_master_and_agent(asgard):
    certs_dir = asgard.tmp_path / "certs"
    certs_dir.mkdir()
    certs = make_certs(certs_dir)
    tls = (f"  tls: {{cert: {certs['cert']}, key: {certs['key']}, ca: {certs['ca']}}}\n")
    port = free_port()
    m_text = master_yaml(port).replace(f"rpc: {{token: \"{TOKEN}\"}}\n",
                                       f"rpc:\n  token: \"{TOKEN}\"\n{tls}")
    master = node(asgard, "master", "m", m_text)
    master.start("-c", str(master.conf_dir))
    a_text = agent_yaml(port).replace(f"rpc: {{token: \"{TOKEN}\"}}\n",
                                      f"rpc:\n  token: \"{TOKEN}\"\n{tls}")
    a = node(asgard, "agent", "a", a_text)
    a.start("-c", str(a.conf_dir))
    wait_until(lambda: "registered with the master" in a.log(), 20, "registration over TLS")
    assert "(TLS)" in master.log()
    assert a.cli("status", "-c", str(a.conf_dir)).returncode == 0
    # Without a client certificate the master does not let the agent in.
    half = f"  tls: {{ca: {certs['ca']}}}\n"
    b = node(asgard, "agent", "b", agent_yaml(port).replace(
        f"rpc: {{token: \"{TOKEN}\"}}\n", f"rpc:\n  token: \"{TOKEN}\"\n{half}"))
    b.spawn("-c", str(b.conf_dir))
    # b cannot serve TLS without cert and key: it refuses to start and says why.
    assert b.wait_exit() == 1
    _, err = b.output()
    assert "cert and key" in err
    # A plaintext agent cannot talk to a TLS master.
    c = node(asgard, "agent", "c", agent_yaml(port))
    c.start("-c", str(c.conf_dir))
    wait_until(lambda: "cannot register" in c.log(), 20, "plaintext refused")
    web = WebStandIn(master)
    assert len(web.rows("SELECT id FROM agents")) == 1
