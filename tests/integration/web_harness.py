"""`asgard all` for the API tests: one process with web, master and agent on SQLite, in a temp
dir, on free ports; and a small JSON client with the session token of a user."""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from asgard_harness import wait_until
from fleet_harness import Node

INITIAL = "123456"
ADMIN_PASSWORD = "Admin-pass-2026"


def all_yaml(extra="", components="", master="", web="", task_home="/var/lib/asgard/home",
             top="", master_port=0):
    """`components`, `master`, `web`: more entries of `component:`, `master:` and `web:`
    (indented two spaces), e.g. a mail server and master.notify; `top`: top-level keys such
    as `rpc:`."""
    return ("runtime_dir: runtime\n" + top +
            "component:\n  log: {level: debug}\n" + components +
            "system: {moniter: 1}\n"
            "web:\n  port: 0\n" + web +
            f"master:\n  port: {master_port}\n" + master +
            f"agent:\n  rpc: {{port: 0}}\n  task_home: {task_home}\n" + extra)


def start_all(asgard, name="all", extra="", components="", master="", web="", top="",
              master_port=0):
    workdir = asgard.tmp_path / name
    workdir.mkdir(parents=True, exist_ok=True)
    d = Node(workdir, "all", f"asgard-test-{uuid.uuid4()}", label=f"all-{name}")
    d.role = "all"
    asgard.daemons.append(d)
    # Normal users' tasks run as uids of their own, with homes here (not in /var/lib).
    d.task_home = asgard.open_dir("asgard-homes-")
    d.write_config(all_yaml(extra, components, master, web, task_home=d.task_home, top=top,
                            master_port=master_port))
    d.spawn("-c", str(d.conf_dir))
    # `all` writes web.addr (Node waits for <role>.addr).
    d.role = "web"
    d.wait_ready(30)
    return d


class Api:
    """JSON calls to /api/v1 with an optional Bearer token."""

    def __init__(self, base, token=None):
        self.base = base
        self.token = token

    def call(self, method, path, body=None, form=None, token=None, headers=None):
        url = self.base + path
        data = None
        hdrs = dict(headers or {})
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        tok = token if token is not None else self.token
        if tok:
            hdrs["Authorization"] = f"Bearer {tok}"
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw, status, got = r.read(), r.status, r.headers
        except urllib.error.HTTPError as e:
            raw, status, got = e.read(), e.code, e.headers
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        if isinstance(payload, dict) and "code" in payload:
            assert payload["code"] == status, f"envelope code {payload['code']} != HTTP {status}"
        self.last_headers = got
        return status, payload

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body=body if body is not None else {}, **kw)

    def put(self, path, body, **kw):
        return self.call("PUT", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def ok(self, method, path, body=None, **kw):
        status, payload = self.call(method, path, body=body, **kw)
        assert status == 200, f"{method} {path}: {status} {payload}"
        return payload["data"]

    def login(self, username, password):
        status, payload = self.call("POST", "/api/v1/auth/login",
                                    form={"username": username, "password": password}, token="")
        assert status == 200, f"login {username}: {status} {payload}"
        return Api(self.base, payload["data"]["token"]), payload["data"]


def admin_session(node):
    """Logs in as admin, changes the initial password, returns (anonymous api, admin api)."""
    base = "http://" + node.address()
    anon = Api(base)
    admin, data = anon.login("admin", INITIAL)
    if data["user"]["must_change_password"]:
        admin.ok("POST", "/api/v1/auth/change_password",
                 {"old_password": INITIAL, "password": ADMIN_PASSWORD})
        admin, _ = anon.login("admin", ADMIN_PASSWORD)
    return anon, admin


def make_user(anon, admin, nickname, password="user-pass-1"):
    admin.ok("POST", "/api/v1/users", {"nickname": nickname, "password": "temp-pass-1",
                                       "email": f"{nickname}@example.com"})
    api, _ = anon.login(nickname, "temp-pass-1")
    api.ok("POST", "/api/v1/auth/change_password",
           {"old_password": "temp-pass-1", "password": password})
    api, data = anon.login(nickname, password)
    return api, data["user"]


def local_agent(admin):
    def online():
        data = admin.ok("GET", "/api/v1/agents")
        agents = [a for a in data["list"] if a["status"] == 1]
        return agents[0] if agents else None
    return wait_until(online, 30, "the local agent online")


def wait_task(api, kind, task_id, pred, what, timeout=30):
    last = {}

    def check():
        last["t"] = api.ok("GET", f"/api/v1/{kind}s/{task_id}")
        return last["t"] if pred(last["t"]) else None
    try:
        return wait_until(check, timeout, what, interval=0.1)
    except AssertionError as e:
        raise AssertionError(f"{e}; last: {last.get('t')}") from None
