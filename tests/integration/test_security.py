"""Issue 9's attacks on who makes an agent run what, performed against real processes: `asgard
all` (web + master + agent, SQLite, a root agent) for the run-as rules and the per-user uids,
and `asgard all` with a separate agent for the control credential. Each test fails on a build
without the rule it names."""

import os
import pwd
import subprocess
import time

import pytest

from asgard_harness import wait_until
from fleet_harness import free_port, node as fleet_node
from web_harness import admin_session, local_agent, make_user, start_all, wait_task

FIRST_UID = 1900000000  # agent.task_uid_range's default start


def needs_root():
    if os.geteuid() != 0:
        assert not os.environ.get("CI"), "needs root under CI=true"
        pytest.skip("needs a root agent")


@pytest.fixture
def site(asgard):
    needs_root()
    node = start_all(asgard)
    anon, admin = admin_session(node)
    return {"node": node, "anon": anon, "admin": admin, "agent": local_agent(admin),
            "open": asgard.open_dir("asgard-out-", 0o777)}


def uid_of(pid):
    """The real uid of `pid`; None once it is gone (the store's pid may be a beat old)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def app_body(site, name, script="while true; do sleep 0.2; done", **extra):
    body = {"name": name, "agent_id": site["agent"]["id"], "program": "/bin/sh",
            "args": f"-c '{script}'", "std_out": "", "auto_restart": 1}
    body.update(extra)
    return body


def running(t):
    return t.get("state") == "running" and t.get("pid")


def start_app(api, body):
    app = api.ok("POST", "/api/v1/apps", body)
    api.ok("POST", f"/api/v1/apps/{app['id']}/start")
    return wait_task(api, "app", app["id"], running, f"{body['name']} running")


def runs_as(api, app_id, uid, what):
    """Waits until the app's current process runs as `uid`; returns the task."""
    return wait_task(api, "app", app_id, lambda t: running(t) and uid_of(t["pid"]) == uid, what)


def test_a_users_edit_or_copy_of_a_task_an_administrator_set_to_root_runs_as_the_user(site):
    admin, anon = site["admin"], site["anon"]
    bob, bob_user = make_user(anon, admin, "bob")
    bobs_uid = FIRST_UID + bob_user["id"]
    app = start_app(bob, app_body(site, "bobs"))
    assert uid_of(app["pid"]) == bobs_uid
    # An administrator gives bob's task root (their right), and it runs as root.
    admin.ok("PUT", f"/api/v1/apps/{app['id']}", {"user": "root"})
    runs_as(admin, app["id"], 0, "the app restarted as root")
    # bob edits the program; the console sends the whole form back, `user` included.
    form = bob.ok("GET", f"/api/v1/apps/{app['id']}")
    form["args"] = "-c 'while true; do sleep 0.3; done'"
    status, payload = bob.put(f"/api/v1/apps/{app['id']}", form)
    assert status == 200, payload
    assert "no longer runs as 'root'" in payload["message"]
    assert payload["data"]["user"] == ""
    runs_as(bob, app["id"], bobs_uid, "bob's edit running as bob's uid, not root")
    # Copying it does not carry root over either.
    admin.ok("PUT", f"/api/v1/apps/{app['id']}", {"user": "root"})
    status, payload = bob.post(f"/api/v1/apps/{app['id']}/copy")
    assert status == 200 and payload["data"]["user"] == "", payload
    # Naming an account himself is refused, and says what he may do.
    status, payload = bob.post("/api/v1/apps", app_body(site, "mine", user="root"))
    assert status == 403 and payload["message"].startswith("user:"), payload


def test_a_demoted_administrators_tasks_run_under_the_new_identity_at_once(site):
    admin, anon = site["admin"], site["anon"]
    carol, carol_user = make_user(anon, admin, "carol")
    admin.ok("PUT", f"/api/v1/users/{carol_user['id']}", {"role": "Administrator"})
    carol, _ = anon.login("carol", "user-pass-1")
    named = start_app(carol, app_body(site, "carol-root", user="root"))
    plain = start_app(carol, app_body(site, "carol-plain"))
    assert uid_of(named["pid"]) == 0 and uid_of(plain["pid"]) == 0
    status, payload = admin.put(f"/api/v1/users/{carol_user['id']}", {"role": "User"})
    assert status == 200, payload
    assert "2 of their tasks changed identity" in payload["message"], payload
    carols_uid = FIRST_UID + carol_user["id"]
    # Pushed and restarted now, not at the next heartbeat or the next edit.
    for app in (named, plain):
        t = runs_as(admin, app["id"], carols_uid, "the app restarted as carol's uid")
        assert t["pid"] != app["pid"]
    assert admin.ok("GET", f"/api/v1/apps/{named['id']}")["user"] == ""
    # An administrator cannot demote themselves by mistake.
    me = admin.ok("GET", "/api/v1/auth/info")
    assert admin.put(f"/api/v1/users/{me['id']}", {"role": "User"})[0] == 409


def test_users_cannot_read_or_signal_each_others_tasks(site):
    admin, anon = site["admin"], site["anon"]
    home = str(site["node"].task_home)
    grace, grace_user = make_user(anon, admin, "grace")
    frank, frank_user = make_user(anon, admin, "frank")
    grace_uid, frank_uid = FIRST_UID + grace_user["id"], FIRST_UID + frank_user["id"]
    secret_out = f"{home}/{grace_uid}/logs/secret.out"
    graces = start_app(grace, app_body(
        site, "graces", "echo grace-secret; umask; echo $HOME; while true; do sleep 0.2; done",
        std_out=secret_out))
    assert uid_of(graces["pid"]) == grace_uid
    wait_until(lambda: os.path.exists(secret_out) and "grace-secret" in open(secret_out).read(),
               20, "grace's output")
    st = os.stat(f"{home}/{grace_uid}")
    assert (st.st_uid, st.st_mode & 0o777) == (grace_uid, 0o700)
    assert open(secret_out).read().split("\n")[1:3] == ["0077", f"{home}/{grace_uid}"]
    # frank's task tries to read grace's output and to kill grace's process.
    frank_out = f"{home}/{frank_uid}/logs/attack.out"
    attack = (f"cat {secret_out} 2>&1; echo cat=$?; kill -9 {graces['pid']} 2>&1; echo kill=$?; "
              "while true; do sleep 1; done")
    franks = start_app(frank, app_body(site, "franks", attack, std_out=frank_out))
    assert uid_of(franks["pid"]) == frank_uid
    wait_until(lambda: os.path.exists(frank_out) and "kill=" in open(frank_out).read(), 20,
               "frank's attempt")
    text = open(frank_out).read()
    assert "grace-secret" not in text
    assert "cat=1" in text and "kill=1" in text, text
    assert uid_of(graces["pid"]) == grace_uid  # still alive, never restarted
    assert grace.ok("GET", f"/api/v1/apps/{graces['id']}")["pid"] == graces["pid"]
    # frank cannot read it through the API either.
    status, _ = frank.get(f"/api/v1/out_logs/app/data?app_id={graces['id']}")
    assert status == 403


def test_an_administrator_grants_accounts_and_takes_them_back(site):
    admin, anon = site["admin"], site["anon"]
    dan, dan_user = make_user(anon, admin, "dan")
    daemon_uid = pwd.getpwnam("daemon").pw_uid
    assert dan.post("/api/v1/apps", app_body(site, "d", user="daemon"))[0] == 403
    admin.ok("PUT", f"/api/v1/users/{dan_user['id']}", {"run_as": ["daemon"]})
    dan, _ = anon.login("dan", "user-pass-1")
    app = start_app(dan, app_body(site, "d", user="daemon"))
    assert uid_of(app["pid"]) == daemon_uid
    status, payload = admin.put(f"/api/v1/users/{dan_user['id']}", {"run_as": []})
    assert status == 200 and "1 of their tasks changed identity" in payload["message"], payload
    runs_as(admin, app["id"], FIRST_UID + dan_user["id"], "dan's app back on his own uid")
    assert admin.put(f"/api/v1/users/{dan_user['id']}", {"run_as": ["root;id"]})[0] == 400


def test_a_fork_bomb_of_one_user_stops_at_their_process_cap(asgard):
    needs_root()
    node = start_all(asgard, extra="  task_nproc: 32\n")
    anon, admin = admin_session(node)
    site = {"agent": local_agent(admin)}
    eve, eve_user = make_user(anon, admin, "eve")
    out = f"{node.task_home}/{FIRST_UID + eve_user['id']}/logs/bomb.out"
    bomb = ("for i in $(seq 1 100); do sleep 30 & done 2>&1 | tail -n 1; "
            "echo alive=$(pgrep -u $(id -u) -c sleep); while true; do sleep 1; done")
    start_app(eve, app_body(site, "bomb", bomb, std_out=out))
    wait_until(lambda: os.path.exists(out) and "alive=" in open(out).read(), 30, "the bomb")
    alive = int(open(out).read().split("alive=")[1].split()[0])
    assert alive < 32, open(out).read()
    # The other users and the agent are unaffected.
    other = start_app(admin, app_body(site, "admin-app"))
    assert uid_of(other["pid"]) == 0


def test_a_control_call_needs_the_web_nodes_credential_not_the_agents(asgard):
    """Root on an agent host holds rpc.token and its agent's key, never the control token."""
    control = "control-token-of-the-web-nodes-0123456789"
    hashed = subprocess.run([os.environ.get("ASGARD_BIN", "build/asgard"), "token", "hash"],
                            input=control + "\n", capture_output=True, text=True, check=True)
    master_port = free_port()
    keys = f"rpc:\n  token: fleet-token-1234567890\n  control_token: {control}\n"
    node = start_all(asgard, top=keys, master_port=master_port)
    anon, admin = admin_session(node)
    local_agent(admin)

    def agent_yaml(control_hash):
        return ("runtime_dir: runtime\n"
                f"rpc:\n  token: fleet-token-1234567890\n  control_token_hash: '{control_hash}'\n"
                "component:\n  log: {level: debug}\n"
                "agent:\n  rpc: {ip: 127.0.0.1, port: 0}\n"
                f"  master: {{ip: 127.0.0.1, port: {master_port}}}\n")
    wrong = subprocess.run([os.environ.get("ASGARD_BIN", "build/asgard"), "token", "hash"],
                           input="some-other-control-token-987654\n", capture_output=True,
                           text=True, check=True)
    good = fleet_node(asgard, "agent", "good", agent_yaml(hashed.stdout.strip()))
    good.start("-c", str(good.conf_dir))
    bad = fleet_node(asgard, "agent", "bad", agent_yaml(wrong.stdout.strip()))
    bad.start("-c", str(bad.conf_dir))

    def agent_at(addr):
        port = addr.rsplit(":", 1)[1]
        agents = admin.ok("GET", "/api/v1/agents")["list"]
        return next((a for a in agents if a["port"] == port and a["status"] == 1), None)
    good_row = wait_until(lambda: agent_at(good.address()), 20, "good agent registered")
    bad_row = wait_until(lambda: agent_at(bad.address()), 20, "bad agent registered")
    body = {"name": "x", "program": "/bin/sleep", "args": "60"}
    status, payload = admin.post("/api/v1/apps", dict(body, agent_id=good_row["id"]))
    assert status == 200 and not payload["message"].startswith("saved;"), payload
    status, payload = admin.post("/api/v1/apps", dict(body, agent_id=bad_row["id"]))
    assert status == 200, payload  # stored, but the agent refused the push
    assert "rpc.control_token" in payload["message"], payload
    assert "refused this web node's control credential" in payload["message"]
    # The agents hold no control token at all.
    for a in (good, bad):
        assert not a.runtime("control.token").exists()
        assert control not in (a.conf_dir / "app.yaml").read_text()


def test_credentials_in_clear_are_said_so(asgard):
    """Off loopback without TLS, /health and the console's agents list say that credentials
    travel in clear (the original had neither auth nor TLS, so this warns, not refuses)."""
    import json
    import sqlite3
    import urllib.request
    node = start_all(asgard)
    anon, admin = admin_session(node)
    local_agent(admin)
    health = lambda: json.load(urllib.request.urlopen(f"http://{node.address()}/health"))["data"]
    assert health()["warnings"] == []
    with sqlite3.connect(node.runtime("asgard.db"), timeout=30) as db:
        db.execute("INSERT INTO agents (ip, port, status, created_at, updated_at) "
                   "VALUES ('10.9.8.7', '27149', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
    # Written by another process: /health's answer is kept for up to a second (response_cache.h).
    deadline = time.monotonic() + 2.0
    while not any("in clear" in w and "rpc.tls" in w for w in health()["warnings"]):
        assert time.monotonic() < deadline, health()
        time.sleep(0.1)
    rows = {a["ip"]: a for a in admin.ok("GET", "/api/v1/agents")["list"]}
    assert rows["10.9.8.7"]["in_clear"] == 1
    assert rows["127.0.0.1"]["in_clear"] == 0
