"""Bad input at the web node (issue 9), each test performing its attack on the real binary: a FIFO
as a time zone, a flood of huge login names, user enumeration by timing, wrong JSON types and
ids out of range, unbounded text fields, X-Forwarded-For from strangers, and control characters
in names reaching a terminal or a log."""

import json
import os
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from asgard_harness import asgard_bin, wait_until
from web_harness import ADMIN_PASSWORD, INITIAL, Api, admin_session, local_agent, make_user, start_all


def app_body(site, name="app", **extra):
    body = {"name": name, "agent_id": site["agent"]["id"], "program": "/bin/sleep",
            "args": "1000"}
    body.update(extra)
    return body


def raw_call(base, method, path, data, headers, timeout):
    """(status, payload, headers) of one request; raises on a timeout."""
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null"), r.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null"), e.headers


def login(base, form, headers=None, timeout=30):
    hdrs = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    return raw_call(base, "POST", "/api/v1/auth/login", urllib.parse.urlencode(form).encode(),
                    hdrs, timeout)


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


# ---------------------------------------------------------------------------- time zones


class Fifo:
    """A FIFO at a short path (a spec is at most 255 bytes); unblocks a reader stuck on it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="tz", dir="/tmp")
        self.path = os.path.join(self.dir, "f")
        os.mkfifo(self.path)

    def unblock(self):
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass  # nobody is reading it: nothing is stuck

    def remove(self):
        self.unblock()
        os.unlink(self.path)
        os.rmdir(self.dir)


def test_a_fifo_as_a_time_zone_is_a_400_at_once(site):
    """Today the web node opens the FIFO and a request thread waits forever."""
    admin, fifo = site["admin"], Fifo()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {admin.token}"}
    attempts = [
        ("/api/v1/cron/next", {"spec": "* * * * *", "tz": fifo.path}, "tz: unknown time zone"),
        ("/api/v1/cron/next", {"spec": f"CRON_TZ={fifo.path} * * * * *"}, "spec: unknown time zone"),
        ("/api/v1/jobs", app_body(site, "j", spec=f"TZ={fifo.path} * * * * *"),
         "spec: unknown time zone"),
    ]
    try:
        for path, body, needle in attempts:
            try:
                status, payload, _ = raw_call(admin.base, "POST", path, json.dumps(body).encode(),
                                              headers, timeout=10)
            except OSError as e:  # a timeout
                pytest.fail(f"POST {path} {body}: no answer within 10 s ({e!r})")
            assert status == 400 and payload["message"].startswith(needle), (path, payload)
        status, payload, _ = raw_call(admin.base, "POST", "/api/v1/cron/next",
                                      json.dumps({"spec": "* * * * *", "tz": "../../etc/passwd"})
                                      .encode(), headers, timeout=10)
        assert status == 400 and payload["message"].startswith("tz:"), payload
        assert admin.ok("POST", "/api/v1/cron/next",
                        {"spec": "0 9 * * *", "tz": "Asia/Shanghai", "n": 1})["next"][0].endswith(
                            "+08:00")
    finally:
        fifo.remove()


def test_cron_next_cli_refuses_a_path_as_tz(tmp_path):
    fifo = Fifo()
    try:
        r = subprocess.run([asgard_bin(), "cron", "next", "* * * * *", "--tz", fifo.path],
                           cwd=tmp_path, capture_output=True, text=True, timeout=10)
        assert r.returncode == 2 and "unknown time zone" in r.stderr, r
        r = subprocess.run([asgard_bin(), "cron", "next", f"CRON_TZ={fifo.path} * * * * *"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=10)
        assert r.returncode == 2 and "unknown time zone" in r.stderr, r
    finally:
        fifo.remove()


def test_cron_tz_of_app_yaml_must_be_a_zone_name(asgard):
    fifo = Fifo()
    try:
        d = asgard.daemon("cron", jobs=[{"name": "j", "spec": f"CRON_TZ={fifo.path} * * * * *",
                                         "program": "true"}])
        d.spawn("-c", str(d.conf_dir))
        try:
            code = d.proc.wait(10)
        except subprocess.TimeoutExpired:
            fifo.unblock()
            pytest.fail("asgard cron did not refuse the FIFO as CRON_TZ within 10 s")
        _, err = d.output()
        assert code == 2 and "unknown time zone" in err, (code, err)
    finally:
        fifo.remove()


# ---------------------------------------------------------------------------- logins


def test_300_logins_with_1_mib_names_leave_memory_bounded(node):
    """Today each name stays in the failure table: the process grows by ~430 MiB per 300 logins,
    for good. Now the name is refused before anything is counted; what remains is the allocator
    keeping some of the freed request buffers (once, not per login)."""
    base = "http://" + node.address()
    pid = node.proc.pid

    answers = []

    def attack(round_):
        for i in range(300):
            name = f"{round_}-{i:04d}" + "n" * (1 << 20)
            status, payload, _ = raw_call(base, "POST", "/api/v1/auth/login",
                                          json.dumps({"username": name, "password": "x"}).encode(),
                                          {"Content-Type": "application/json"}, 30)
            answers.append((status, payload["message"]))

    for i in range(5):  # warm up the pool threads
        login(base, {"username": f"warm{i}", "password": "x"})
    before = rss_bytes(pid)
    attack(1)
    first = rss_bytes(pid)
    attack(2)
    second = rss_bytes(pid)
    print(f"RSS {before >> 20} MiB, after 300 logins with 1 MiB names {first >> 20} MiB, "
          f"after 300 more {second >> 20} MiB")
    assert first - before < 128 << 20, f"grew by {(first - before) >> 20} MiB"
    assert second - first < 16 << 20, f"grew again by {(second - first) >> 20} MiB"
    assert all(status == 400 and message.startswith("username: at most 200 bytes")
               for status, message in answers), answers[:3]


def test_an_unknown_user_costs_as_much_as_a_known_one(site):
    """Today an unknown name answers in 1-2 ms and a known one in ~140 ms (argon2id). Five
    failures in all: below every limit, today's (5 per address) and the new ones."""
    base = site["admin"].base

    def ms(name):
        start = time.monotonic()
        status, _, _ = login(base, {"username": name, "password": "wrong-password"})
        assert status == 401
        return (time.monotonic() - start) * 1000

    ms("warm-up")  # the dummy hash is made on first use
    known, unknown = [], []
    for _ in range(2):
        known.append(ms("admin"))
        unknown.append(ms("nobody-by-this-name"))
    known_ms, unknown_ms = min(known), min(unknown)
    print(f"login: known user {known_ms:.1f} ms, unknown {unknown_ms:.1f} ms")
    assert max(known_ms, unknown_ms) / min(known_ms, unknown_ms) < 2, (known, unknown)


def test_a_forbidden_account_answers_like_a_wrong_password_until_the_password_is_right(site):
    anon, admin = site["anon"], site["admin"]
    _, eve = make_user(anon, admin, "eve", password="eves-pass-1")
    admin.ok("POST", f"/api/v1/users/{eve['id']}/forbidden")
    unknown = anon.call("POST", "/api/v1/auth/login", form={"username": "nobody", "password": "x"})
    wrong = anon.call("POST", "/api/v1/auth/login", form={"username": "eve", "password": "x"})
    assert unknown == wrong == (401, {"code": 401, "message": "wrong user name or password",
                                      "data": None})
    status, payload = anon.call("POST", "/api/v1/auth/login",
                                form={"username": "eve", "password": "eves-pass-1"})
    assert status == 403 and "forbidden" in payload["message"]


def test_failures_from_elsewhere_do_not_lock_the_administrator_out(asgard):
    node = start_all(asgard, web="  trusted_proxies: [127.0.0.1]\n")
    base = "http://" + node.address()
    stranger = {"X-Forwarded-For": "198.51.100.66"}
    for _ in range(5):
        assert login(base, {"username": "admin", "password": "guess"}, stranger)[0] == 401
    status, payload, headers = login(base, {"username": "admin", "password": INITIAL}, stranger)
    assert status == 429 and int(headers["Retry-After"]) >= 1, payload
    # The administrator, behind the same proxy, from their own address.
    status, payload, _ = login(base, {"username": "admin", "password": INITIAL},
                               {"X-Forwarded-For": "10.1.2.3"})
    assert status == 200, payload


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(node):
    base = "http://" + node.address()
    for i in range(5):  # a client pretending to be five others
        assert login(base, {"username": "admin", "password": "guess"},
                     {"X-Forwarded-For": f"198.51.100.{i}"})[0] == 401
    status, _, _ = login(base, {"username": "admin", "password": "guess"},
                         {"X-Forwarded-For": "198.51.100.99"})
    assert status == 429


# ---------------------------------------------------------------------------- types and sizes


def test_wrong_json_types_are_400s_naming_the_field(site):
    """Today several of these are 500s (a JSON type error) or silently wrapped integers."""
    anon, admin = site["anon"], site["admin"]
    _, eve = make_user(anon, admin, "eve")
    cases = [
        (anon, "POST", "/api/v1/auth/login", {"username": 123, "password": "x"}, "username"),
        (anon, "POST", "/api/v1/auth/login", {"username": "admin", "password": [1]}, "password"),
        (admin, "POST", "/api/v1/users", {"nickname": 5, "password": "xxxxxxx"}, "nickname"),
        (admin, "POST", "/api/v1/users", {"nickname": "x", "password": {"a": 1}}, "password"),
        (admin, "PUT", f"/api/v1/users/{eve['id']}", {"status": 4294967297}, "status"),
        (admin, "PUT", f"/api/v1/users/{eve['id']}", {"email": False}, "email"),
        (admin, "POST", f"/api/v1/users/{eve['id']}/reset_password", {"password": 7}, "password"),
        (admin, "POST", "/api/v1/auth/change_password", {"old_password": 1, "password": "y"},
         "old_password"),
        (admin, "POST", "/api/v1/jobs", app_body(site, "j", spec=5), "spec"),
        (admin, "POST", "/api/v1/cron/next", {"spec": 5}, "spec"),
        (admin, "POST", "/api/v1/cron/next", {"spec": "* * * * *", "tz": 8}, "tz"),
        (admin, "POST", "/api/v1/cron/next", {"spec": "* * * * *", "n": "many"}, "n"),
        (admin, "POST", "/api/v1/groups", {"name": ["web"]}, "name"),
        (admin, "PUT", f"/api/v1/agents/{site['agent']['id']}", {"alias": 5}, "alias"),
        (admin, "POST", "/api/v1/apps", app_body(site, "a", agent_id=2 ** 40), "agent_id"),
        (admin, "POST", "/api/v1/apps", app_body(site, "a", timeout=2 ** 64 - 1), None),
        (admin, "POST", "/api/v1/apps/batch_pause", {"ids": [-1]}, "ids"),
        (admin, "POST", "/api/v1/apps/batch_pause", {"ids": [2 ** 63 + 5]}, "ids"),
    ]
    for api, method, path, body, field in cases:
        status, payload = api.call(method, path, body=body)
        if field is None:  # a field the kind does not take: ignored
            assert status == 200, (path, body, payload)
            continue
        assert status == 400, (path, body, payload)
        assert payload["message"].startswith(field + ":"), (path, body, payload)
    for path in ("/api/v1/apps/0", "/api/v1/apps/99999999999", "/api/v1/users/0",
                 "/api/v1/agents?status=abc", "/api/v1/apps?agent_id=99999999999"):
        status, payload = admin.get(path)
        assert status == 400, (path, payload)


def test_the_originals_forms_stay_accepted(site):
    admin = site["admin"]
    form = {"name": "form-app", "agent_id": str(site["agent"]["id"]), "program": "/bin/sleep",
            "args": "1000", "group_id": "0", "auto_restart": "1", "is_monitor": "0"}
    status, payload = admin.call("POST", "/api/v1/apps", form=form)
    assert status == 200 and payload["data"]["auto_restart"] == 1, payload
    app = admin.ok("POST", "/api/v1/apps", app_body(site, "json-app", auto_restart=True,
                                                    is_monitor=0, group_id=0))
    assert app["auto_restart"] == 1 and app["group_id"] == 0
    listed = admin.ok("GET", "/api/v1/apps?group_id=0&agent_id=0&status=-99")
    assert listed["total"] == 2
    assert admin.ok("GET", "/api/v1/agents?status=-99")["total"] == 1


def test_every_text_field_has_a_limit(site):
    """Today a 7 MiB group name is stored, and so is a 1 MiB env."""
    admin = site["admin"]
    huge = "g" * (7 << 20)
    cases = [
        ("POST", "/api/v1/groups", {"name": huge}, "name: at most 128 bytes (got 7340032)"),
        ("POST", "/api/v1/apps", app_body(site, huge), "name: at most 128 bytes"),
        ("POST", "/api/v1/apps", app_body(site, "a", env={"BIG": "v" * (1 << 20)}), "env BIG: "),
        ("POST", "/api/v1/apps", app_body(site, "a", env={f"V{i}": "x" for i in range(300)}),
         "env: at most 256 variables"),
        ("POST", "/api/v1/apps", app_body(site, "a", args="a" * 2001), "args: at most 2000 bytes"),
        ("POST", "/api/v1/jobs", app_body(site, "j", spec="*" + " " * 255 + "* * * *"),
         "spec: at most 255 bytes"),
        ("PUT", f"/api/v1/agents/{site['agent']['id']}", {"alias": "a" * 33},
         "alias: at most 32 bytes"),
        ("POST", "/api/v1/users", {"nickname": "n" * 101, "password": "xxxxxxx"},
         "nickname: at most 100 bytes"),
    ]
    for method, path, body, needle in cases:
        status, payload = admin.call(method, path, body=body)
        assert status == 400 and payload["message"].startswith(needle), (path, payload["message"])
    assert admin.ok("GET", "/api/v1/groups")["total"] == 0
    assert admin.ok("GET", "/api/v1/apps")["total"] == 0
    status, payload = admin.get("/api/v1/apps?name=" + "n" * 300)
    assert status == 400 and payload["message"].startswith("name: at most 256 bytes")
    # Generous where it matters: a 32 KiB environment is fine.
    admin.ok("POST", "/api/v1/apps", app_body(site, "envy", env={"CERT": "c" * (32 << 10)}))


# ---------------------------------------------------------------------------- terminals and logs

EVIL = "evil\x1b[2Jname"


def test_control_characters_in_a_task_name_are_escaped_in_agent_status_and_the_log(asgard,
                                                                                   tmp_path):
    # A token in app.yaml, so that `agent status` can ask the agent of `asgard all`.
    node = start_all(asgard, extra="rpc: {token: escape-test-token}\n")
    _, admin = admin_session(node)
    site = {"agent": local_agent(admin)}
    app = admin.ok("POST", "/api/v1/apps", app_body(site, EVIL, program="/nonexistent/x", args=""))
    admin.ok("POST", f"/api/v1/apps/{app['id']}/start")
    r = wait_until(lambda: (lambda r: r if "evil" in r.stdout else None)(
        subprocess.run([asgard_bin(), "agent", "status", "-c", str(node.conf_dir)],
                       cwd=node.workdir, capture_output=True, text=True, timeout=30)),
        30, "the app in `asgard agent status`")
    assert "\x1b" not in r.stdout and "evil\\x1b[2Jname" in r.stdout, r.stdout
    logs = list(node.runtime().glob("*.log"))

    def logged():
        text = "".join(p.read_text(errors="replace") for p in logs)
        return text if "evil" in text else None
    text = wait_until(logged, 30, f"the app's name in {logs}")
    assert "\x1b" not in text and "evil\\x1b[2Jname" in text


def test_control_characters_in_an_app_name_are_escaped_by_guard(asgard):
    d = asgard.daemon("guard", apps=[{"name": EVIL, "program": "sleep", "args": "1000"}])
    d.start()
    wait_until(lambda: "evil" in d.log(), 20, "the app in the guard's log")
    r = d.cli("status")
    assert r.returncode == 0 and "\x1b" not in r.stdout and "evil\\x1b[2Jname" in r.stdout, r
    r = d.cli("show", EVIL)
    assert r.returncode == 0 and "\x1b" not in r.stdout and "evil\\x1b[2Jname" in r.stdout, r
    assert "\x1b" not in d.log() and "evil\\x1b[2Jname" in d.log()
