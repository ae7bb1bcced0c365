"""Cluster mode on real services: a three-member etcd of the test's own, the MariaDB test
server, two masters (master.cluster: true) and agents that find them in etcd. Masters register,
one leads, agents spread over them and move when one dies, hangs or stops; every run of a job
firing each second is stored exactly once through all of it."""

import json
import signal
import subprocess
import time

import pytest

from asgard_harness import asgard_bin, wait_until
from cluster_harness import Cluster, Etcd, MariaDb, master_cluster_yaml
from fleet_harness import free_port, node


@pytest.fixture
def cluster(asgard):
    etcd = Etcd()
    db = None
    try:
        db = MariaDb()
        yield Cluster(asgard, etcd, db)
    finally:
        for d in asgard.daemons:  # the daemons first: they talk to both services
            if d.running():
                d.kill_hard()
        etcd.stop()
        if db:
            db.drop()


def appender(tmp_path, name):
    """A program that appends "<ASGARD_RUN_ID> <pid>" to a file of its own, and that file."""
    out = tmp_path / f"{name}.runs"
    script = tmp_path / f"{name}.sh"
    script.write_text(f'#!/bin/sh\necho "$ASGARD_RUN_ID $$" >> {out}\n')
    script.chmod(0o755)
    return str(script), out


def runs_in(path):
    try:
        return [line.split() for line in path.read_text().splitlines() if line.strip()]
    except FileNotFoundError:
        return []


def assert_each_run_stored_once(cluster, job_id, runs_file):
    """Every run the job made (a line with its pid) has exactly one archive row."""
    runs = runs_in(runs_file)
    assert len(runs) >= 5, f"the job ran only {len(runs)} times"

    def stored():
        rows = cluster.db.sql(f"SELECT pid, COUNT(*) FROM archives WHERE type = 3 AND "
                              f"related_id = {job_id} GROUP BY pid")
        counts = {int(pid): int(n) for pid, n in rows}
        missing = [pid for _, pid in runs if int(pid) not in counts]
        return counts if not missing else None
    counts = wait_until(stored, 30, "every run's archive row")
    duplicated = {pid: n for pid, n in counts.items() if n != 1}
    assert not duplicated, f"runs stored more than once: {duplicated}"


def test_masters_register_one_leads_and_a_duplicate_id_is_refused(cluster):
    m1 = cluster.start_master("m1")
    m2 = cluster.start_master("m2")
    members = wait_until(lambda: (lambda r: r if len(r) == 2 else None)(cluster.registered()),
                         10, "both masters in etcd")
    assert members == {"m1": f"127.0.0.1:{m1.cluster_port}", "m2": f"127.0.0.1:{m2.cluster_port}"}
    leader = wait_until(cluster.leader, 10, "a leader")
    assert leader in ("m1", "m2")
    assert "cluster: leading" in cluster.masters[leader].log()
    other = "m2" if leader == "m1" else "m1"
    assert "cluster: leading" not in cluster.masters[other].log()

    # `asgard cluster status` from a master's config: masters, leader, agents per master.
    a = cluster.start_agent("a")
    home = wait_until(lambda: cluster.master_of(a), 30, "the agent registered")
    r = subprocess.run([asgard_bin(), "cluster", "status", "--json", "-c", str(m1.conf_dir)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    view = json.loads(r.stdout)
    assert view["healthy"] is True and view["leader"] == leader
    assert {m["id"]: m["address"] for m in view["masters"]} == members
    assert {m["id"]: m["agents_online"] for m in view["masters"]}[home] == 1
    assert [e["reachable"] for e in view["etcd"]] == [True, True, True]
    plain = subprocess.run([asgard_bin(), "cluster", "status", "-c", str(a.conf_dir)],
                           capture_output=True, text=True, timeout=30)
    assert plain.returncode == 0 and "healthy" in plain.stdout and home in plain.stdout
    single = cluster.asgard.tmp_path / "single"
    (single / "conf").mkdir(parents=True)
    (single / "conf" / "app.yaml").write_text("runtime_dir: runtime\n")
    r = subprocess.run([asgard_bin(), "cluster", "status", "-c", str(single / "conf")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "not in a cluster" in r.stderr

    # A third master with m1's id: refused at start, naming the holder; nothing changed.
    d = node(cluster.asgard, "master", "master-dup",
             master_cluster_yaml(cluster.db, cluster.etcd, cluster.name, "m1", free_port()))
    d.spawn("-c", str(d.conf_dir))
    assert d.wait_exit(20) == 2
    _, err = d.output()
    assert "master.cluster_id 'm1' is already registered" in err
    assert f"127.0.0.1:{m1.cluster_port}" in err
    assert cluster.registered() == members


def test_agents_spread_and_move_when_a_master_is_killed_stopped_or_hung(cluster, tmp_path):
    m1 = cluster.start_master("m1")
    m2 = cluster.start_master("m2")
    wait_until(lambda: len(cluster.registered()) == 2, 10, "both masters in etcd")
    agents = [cluster.start_agent(f"a{i}") for i in range(4)]
    homes = wait_until(lambda: (lambda h: h if all(h) else None)(
        [cluster.master_of(a) for a in agents]), 30, "every agent registered")
    # Each agent's choice is its own (rendezvous hashing); with 4 agents both masters are
    # very likely used, but the test does not depend on the split.
    assert set(homes) <= {"m1", "m2"}

    script, runs_file = appender(tmp_path, "tick")
    job = cluster.add_job(agents[0], "tick", script)
    wait_until(lambda: len(runs_in(runs_file)) >= 2, 30, "the job firing every second")

    def move_off(victim_id, act, what, within):
        """Does `act` to master victim_id; every agent ends on the other master, none offline."""
        victims = [a for a in agents if cluster.master_of(a) == victim_id]
        t0 = time.monotonic()
        act()
        survivor = "m2" if victim_id == "m1" else "m1"
        wait_until(lambda: all(cluster.master_of(a) == survivor for a in agents), within,
                   f"agents of {victim_id} on {survivor} after {what}")
        took = time.monotonic() - t0
        for a in agents:
            _, status, _ = cluster.agent_row(a)
            assert status == 1, f"agent {a.label} marked offline while it moved ({what})"
        return victims, took

    # kill -9: the connection resets, agents move at once (their master's key is still there).
    _, took = move_off("m1", lambda: m1.signal(signal.SIGKILL), "kill -9", 10)
    assert took < 3, f"agents took {took:.1f} s to leave a killed master"
    wait_until(lambda: cluster.leader() == "m2", 10, "m2 leads after m1 died")
    # m1 back: agents whose first choice it is return; the lease of its last life is taken over.
    m1.wait_exit(10)
    m1.start("-c", str(m1.conf_dir))
    wait_until(lambda: "m1" in cluster.registered(), 10, "m1 registered again")
    wait_until(lambda: any(cluster.master_of(a) == "m1" for a in agents) or
               not any(h == "m1" for h in homes), 30, "m1's agents back")

    # SIGSTOP (a hung master): its lease expires (ttl 2 s), etcd deletes its key, agents move.
    m2.signal(signal.SIGSTOP)
    try:
        _, took = move_off("m2", lambda: None, "SIGSTOP", 15)
        wait_until(lambda: cluster.leader() == "m1", 15, "m1 leads while m2 hangs")
    finally:
        m2.signal(signal.SIGCONT)
    # A hung leader that wakes up knows its lease ran out: it does not act as leader.
    wait_until(lambda: "m2" in cluster.registered(), 15, "m2 registered again after waking")

    # Graceful stop: the key goes at once, agents move within about a second.
    def stop_m1():
        m1.stop()
    victims, took = move_off("m1", stop_m1, "graceful stop", 10)
    assert "m1" not in cluster.registered()
    if victims:
        assert took < 3, f"agents took {took:.1f} s to leave a master that stopped"

    time.sleep(2)  # a few more runs through the last move
    for a in agents:
        a.stop()
    assert_each_run_stored_once(cluster, job, runs_file)


def test_etcd_losing_members_moves_nothing_and_leadership_returns(cluster):
    m1 = cluster.start_master("m1")
    m2 = cluster.start_master("m2")
    wait_until(lambda: len(cluster.registered()) == 2, 10, "both masters in etcd")
    a = cluster.start_agent("a")
    home = wait_until(lambda: cluster.master_of(a), 30, "agent registered")
    leader = wait_until(cluster.leader, 10, "a leader")
    code, health = wait_until(lambda: (lambda h: h if h[1].get("leader") else None)(
        cluster.health(cluster.masters[leader])), 10, "the leader's /health")
    assert code == 200 and health["cluster_id"] == leader and health["etcd_reachable"] is True

    cluster.etcd.member("kill", 1)  # one of three: quorum stays
    time.sleep(4)
    assert cluster.master_of(a) == home
    assert cluster.leader() == leader
    assert set(cluster.registered()) == {"m1", "m2"}

    cluster.etcd.member("stop", 2)  # two of three: no quorum, etcd answers nothing
    time.sleep(5)
    # The masters keep serving: the agent's heartbeats are still stored, it stays online.
    agent_id, status, master = cluster.agent_row(a)
    assert status == 1 and master == home
    before = cluster.db.sql(f"SELECT last_heartbeat_at FROM agents WHERE id = {agent_id}")
    time.sleep(4)
    after = cluster.db.sql(f"SELECT last_heartbeat_at FROM agents WHERE id = {agent_id}")
    assert after != before, "heartbeats stopped while etcd had no quorum"
    for m in (m1, m2):
        assert m.running()
        assert "etcd unreachable" in m.log()
        code, health = cluster.health(m)
        assert code == 503 and health["status"] == "degraded", health
        assert health["etcd_reachable"] is False and health["leader"] is False

    cluster.etcd.member("start", 1)
    cluster.etcd.member("start", 2)
    wait_until(lambda: set(cluster.registered()) == {"m1", "m2"}, 30, "masters registered again")
    # etcd extends the leases it restores, so the election may name a master by a key of its
    # life before the outage until that master has registered and campaigned again.
    def leading():
        leader = cluster.leader()
        if not leader:
            return None
        code, health = cluster.health(cluster.masters[leader])
        return (code, health) if code == 200 and health["leader"] else None
    code, health = wait_until(leading, 30, "a master leading again, by etcd and by itself")
    assert health["etcd_reachable"] is True and health["registered"] is True
    assert cluster.master_of(a) in ("m1", "m2")
    assert cluster.agent_row(a)[1] == 1
