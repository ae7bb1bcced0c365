"""The original Asgard's /api/v1 clients against our web node (issue 11): the request shapes of
its console (web-admin/src/api/) and of scripts written for it (ORIGINAL.md 7.5, 7.8): form
bodies, `group_id=0` for any group, `status=-99` for any status, the password change with the
new password alone, bare tokens, raw lines over SSE."""

import os
import time
import urllib.request

from asgard_harness import wait_until
from web_harness import INITIAL, Api, make_user, wait_task


def task_body(site, name, **extra):
    body = {"name": name, "agent_id": site["agent"]["id"], "program": "/bin/sleep",
            "args": "1000", "std_out": str(site["tmp"] / f"{name}.out")}
    body.update(extra)
    return body


# ---------------------------------------------------------------------------- auth


def test_a_bare_token_in_authorization_is_a_session(site):
    """The original's clients send `Authorization: <token>` without "Bearer"."""
    admin = site["admin"]
    status, payload = admin.get("/api/v1/auth/info", token="",
                                headers={"Authorization": admin.token})
    assert status == 200 and payload["data"]["nickname"] == "admin", payload
    status, _ = admin.get("/api/v1/apps?page=1", token="",
                          headers={"Authorization": "forged.token"})
    assert status == 401
    # Another scheme (a proxy's Basic credentials) leaves the session cookie in charge.
    status, payload = admin.get("/api/v1/auth/info", token="", headers={
        "Authorization": "Basic dXNlcjpwYXNz", "Cookie": f"asgard_session={admin.token}"})
    assert status == 200, payload


def test_the_forced_change_takes_the_new_password_alone(node):
    """The original's console: postForm('/auth/change_password', {password})."""
    anon = Api("http://" + node.address())
    admin, data = anon.login("admin", INITIAL)
    assert data["user"]["must_change_password"] is True
    status, payload = admin.call("POST", "/api/v1/auth/change_password",
                                 form={"password": "Admin-pass-2026"})
    assert status == 200, payload
    admin, data = anon.login("admin", "Admin-pass-2026")
    assert data["user"]["must_change_password"] is False
    # Any other session needs the old password, and is told so.
    status, payload = admin.call("POST", "/api/v1/auth/change_password",
                                 form={"password": "Another-pass-1"})
    assert status == 400, payload
    assert payload["message"].startswith("old_password: is required"), payload
    assert "initial or reset password" in payload["message"], payload
    assert anon.login("admin", "Admin-pass-2026")


def test_a_reset_password_is_changed_alone_only_in_its_own_session(site):
    anon, admin = site["anon"], site["admin"]
    _, eve = make_user(anon, admin, "eve")
    admin.call("POST", f"/api/v1/users/{eve['id']}/reset_password",
               form={"password": "reset-pass-1"})
    forced, data = anon.login("eve", "reset-pass-1")
    assert data["user"]["must_change_password"] is True
    # A session that did not log in with the reset password (here: one whose login came
    # before the reset is revoked; one made since by changing the password has no flag).
    status, payload = forced.call("POST", "/api/v1/auth/change_password",
                                  form={"password": "reset-pass-1"})
    assert status == 400 and payload["message"].startswith("password:"), payload
    status, payload = forced.call("POST", "/api/v1/auth/change_password",
                                  form={"password": "eve-own-pass-1"})
    assert status == 200, payload
    eve_api = Api(anon.base, payload["data"]["token"])
    status, payload = eve_api.call("POST", "/api/v1/auth/change_password",
                                   form={"password": "eve-pass-3"})
    assert status == 400 and "old_password" in payload["message"], payload
    eve_api.ok("POST", "/api/v1/auth/change_password",
               {"old_password": "eve-own-pass-1", "password": "eve-pass-3"})


# ---------------------------------------------------------------------------- lists


def test_group_id_zero_lists_every_group_and_minus_one_the_ungrouped(site):
    admin = site["admin"]
    g = admin.ok("POST", "/api/v1/groups", {"name": "web", "status": 1})
    grouped = admin.ok("POST", "/api/v1/apps", task_body(site, "grouped", group_id=g["id"]))
    loose = admin.ok("POST", "/api/v1/apps", task_body(site, "loose"))
    job = admin.ok("POST", "/api/v1/jobs", task_body(site, "nightly", spec="0 3 * * *",
                                                     group_id=g["id"]))

    def names(path):
        return sorted(t["name"] for t in admin.ok("GET", path)["list"])
    # What the original's console sends by default.
    assert names("/api/v1/apps?page=1&group_id=0&agent_id=0&status=-99&name=") == \
        ["grouped", "loose"]
    assert names("/api/v1/apps?group_id=-1") == ["loose"]
    assert names(f"/api/v1/apps?group_id={g['id']}") == ["grouped"]
    assert names("/api/v1/jobs?group_id=0") == ["nightly"]
    assert names("/api/v1/jobs?group_id=-1") == []
    for bad in ("-2", "x"):
        status, payload = admin.get(f"/api/v1/apps?group_id={bad}")
        assert status == 400 and payload["message"].startswith("group_id:"), payload
    assert grouped["group_id"] == g["id"] and loose["group_id"] == 0 and job["id"]


def test_status_minus_99_means_any_status_on_every_list(site):
    anon, admin = site["anon"], site["admin"]
    _, fred = make_user(anon, admin, "fred")
    admin.ok("POST", f"/api/v1/users/{fred['id']}/forbidden")
    everyone = admin.ok("GET", "/api/v1/users?page=1&status=-99&nickname=")
    assert sorted(u["nickname"] for u in everyone["list"]) == ["admin", "fred"]
    assert admin.ok("GET", "/api/v1/users?status=-1")["total"] == 1
    admin.ok("POST", "/api/v1/groups", {"name": "on", "status": 1})
    admin.ok("POST", "/api/v1/groups", {"name": "off", "status": 0})
    for path, total in (("/api/v1/groups?status=-99", 2), ("/api/v1/groups?status=0", 1),
                        ("/api/v1/groups?status=1", 1), ("/api/v1/agents?status=-99", 1),
                        ("/api/v1/apps?status=-99", 0)):
        assert admin.ok("GET", path)["total"] == total, path
    status, payload = admin.get("/api/v1/groups?status=5")
    assert status == 400 and payload["message"].startswith("status:"), payload


# ---------------------------------------------------------------------------- groups


def test_group_status_is_honoured_and_a_disabled_group_hides_nothing(site):
    admin = site["admin"]
    g = admin.ok("POST", "/api/v1/groups", {"name": "batch", "status": 0})
    assert g["status"] == 0
    app = admin.ok("POST", "/api/v1/apps", task_body(site, "in-batch", group_id=g["id"]))
    assert app["group_id"] == g["id"] and app["group_name"] == "batch"
    assert admin.ok("GET", f"/api/v1/apps?group_id={g['id']}")["total"] == 1
    assert [x["name"] for x in admin.ok("GET", "/api/v1/groups?status=0")["list"]] == ["batch"]
    # The original's edit form sends the whole group back.
    assert admin.ok("PUT", f"/api/v1/groups/{g['id']}",
                    {"id": g["id"], "name": "batch", "status": 1})["status"] == 1
    assert admin.ok("PUT", f"/api/v1/groups/{g['id']}", {"name": "batch-2"})["status"] == 1
    status, payload = admin.put(f"/api/v1/groups/{g['id']}", {"status": 3})
    assert status == 400 and payload["message"].startswith("status:"), payload
    # -1 deletes, as the original's PUT did; deleted groups list only when asked for.
    assert admin.ok("PUT", f"/api/v1/groups/{g['id']}", {"status": -1})["status"] == -1
    assert admin.ok("GET", "/api/v1/groups")["total"] == 0
    assert [x["name"] for x in admin.ok("GET", "/api/v1/groups?status=-1")["list"]] == \
        ["batch-2"]


def test_a_task_whose_group_was_deleted_stays_editable(site):
    admin = site["admin"]
    g = admin.ok("POST", "/api/v1/groups", {"name": "gone-soon"})
    other = admin.ok("POST", "/api/v1/groups", {"name": "other"})
    app = admin.ok("POST", "/api/v1/apps", task_body(site, "orphan", group_id=g["id"]))
    mate = admin.ok("POST", "/api/v1/apps", task_body(site, "mate", group_id=other["id"]))
    admin.ok("DELETE", f"/api/v1/groups/{g['id']}")
    # The whole form, with the group it was in.
    status, payload = admin.put(f"/api/v1/apps/{app['id']}",
                                task_body(site, "orphan", group_id=g["id"], args="2000"))
    assert status == 200, payload
    assert payload["data"]["group_id"] == 0 and payload["data"]["args"] == "2000"
    assert f"group {g['id']} was deleted" in payload["message"], payload
    # Another task may not join the deleted group, nor anyone an unknown one.
    for method, path, body in (
            ("PUT", f"/api/v1/apps/{mate['id']}", task_body(site, "mate", group_id=g["id"])),
            ("POST", "/api/v1/apps", task_body(site, "new", group_id=g["id"])),
            ("PUT", f"/api/v1/apps/{app['id']}", task_body(site, "orphan", group_id=99999))):
        status, payload = admin.call(method, path, body=body)
        assert status == 400 and payload["message"].startswith("group_id: no group"), payload
    assert admin.ok("GET", f"/api/v1/apps/{mate['id']}")["group_id"] == other["id"]


def test_exceptions_carry_the_originals_type_name(site):
    admin = site["admin"]
    bad = admin.ok("POST", "/api/v1/apps", task_body(site, "failing", program="/nonexistent/x",
                                                     args=""))
    admin.ok("POST", f"/api/v1/apps/{bad['id']}/start")
    listed = wait_until(lambda: admin.ok("GET", "/api/v1/exceptions")["list"], 30,
                        "an exception")
    assert listed[0]["type"] == 2 and listed[0]["type_name"] == "app", listed
    recent = admin.ok("GET", "/api/v1/dashboard")["recent_exceptions"]
    assert recent[0]["type"] == 2 and recent[0]["type_name"] == "app", recent


# ---------------------------------------------------------------------------- live logs


class EventStream:
    """A text/event-stream read as a browser's EventSource reads it (the HTML standard's
    parsing): a line ends at "\\r\\n", "\\r" or "\\n"; an event is dispatched at a blank line."""

    def __init__(self, api, path, last_event_id=None, authorization=None):
        headers = {"Authorization": authorization or f"Bearer {api.token}"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        self.resp = urllib.request.urlopen(
            urllib.request.Request(api.base + path, headers=headers), timeout=30)
        assert self.resp.headers.get("Content-Type").startswith("text/event-stream")
        self.last_id = ""
        self.lines = []

    def _line(self):
        while not self.lines:
            raw = self.resp.readline().decode("utf-8", errors="replace")
            if not raw:
                raise EOFError("the stream ended")
            if raw.endswith("\r\n"):
                raw = raw[:-2]
            elif raw.endswith("\n"):
                raw = raw[:-1]
            self.lines.extend(raw.split("\r"))  # a lone CR ends a line too
        return self.lines.pop(0)

    def next_event(self):
        kind, data = "message", None
        while True:
            line = self._line()
            if line == "":
                if data is not None:
                    return kind, "\n".join(data), self.last_id
                kind = "message"
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                kind = value
            elif field == "data":
                data = (data or []) + [value]
            elif field == "id":
                self.last_id = value

    def logs(self, n, timeout=30):
        """The next n `log` events as (data, id)."""
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < n:
            assert time.monotonic() < deadline, f"only {len(out)} of {n} log events: {out[-3:]}"
            kind, data, last_id = self.next_event()
            if kind == "log":
                out.append((data, last_id))
        return out

    def close(self):
        self.resp.close()


def started_app(site, name, script, **extra):
    """An app running `script` (sh) from a file, so that no quoting stands in the way."""
    admin = site["admin"]
    path = site["tmp"] / f"{name}.sh"
    path.write_text(script)
    app = admin.ok("POST", "/api/v1/apps", task_body(site, name, program="/bin/sh",
                                                     args=str(path), dir=str(site["tmp"]),
                                                     **extra))
    admin.ok("POST", f"/api/v1/apps/{app['id']}/start")
    wait_task(admin, "app", app["id"], lambda t: t["state"] == "running", "running")
    return app


def test_live_log_lines_are_raw_events_and_a_carriage_return_cannot_forge_one(site):
    """The original's clients print each `log` event's data as the line itself."""
    admin = site["admin"]
    out = site["tmp"] / "progress.out"
    app = started_app(site, "progress",
                      "printf 'p 10%%\\rp 20%%\\rid: 1:1\\r\\ndata: {\"x\": 1}\\rdone\\n'\n"
                      "exec sleep 1000\n")
    wait_until(lambda: out.exists() and out.read_bytes().endswith(b"done\n"), 10, "the output")
    stream = EventStream(admin, f"/api/v1/sse/out_log/app?app_id={app['id']}",
                         authorization=admin.token)  # a bare token, as the original's clients
    try:
        got = stream.logs(5)
    finally:
        stream.close()
    assert [data for data, _ in got] == ["p 10%", "p 20%", "id: 1:1", 'data: {"x": 1}', "done"]
    inode = os.stat(out).st_ino
    # Each id: the file's inode and the offset just past the line's end.
    text = out.read_bytes()
    ends = [text.index(b"p 20%"), text.index(b"id: 1:1"), text.index(b"\ndata:"),
            text.index(b"done"), len(text)]
    assert [i for _, i in got] == [f"{inode}:{e}" for e in ends], (got, text)


def test_live_log_resumes_after_last_event_id_across_rotations(site):
    """Each `step` file makes the app write 1200 lines of ~1 kB: the 1 MB file rotates."""
    admin = site["admin"]
    tmp = site["tmp"]
    out = tmp / "bursts.out"
    script = """n=0
while true; do
  if [ -e step ]; then
    rm -f step
    n=$((n+1))
    awk -v n=$n 'BEGIN { for (j = 1; j <= 1200; j++) printf "b%d-%04d %0900d\\n", n, j, 0 }'
    touch done$n
  fi
  sleep 0.05
done
"""
    app = started_app(site, "bursts", script, max_bytes=1 << 20, backups=10)

    def burst(n):
        (tmp / "step").touch()
        wait_until(lambda: (tmp / f"done{n}").exists(), 30, f"burst {n}")
    burst(1)
    path = f"/api/v1/sse/out_log/app?app_id={app['id']}&lines=5"
    first = EventStream(admin, path)
    try:
        tail = first.logs(5)
    finally:
        first.close()
    assert [d.split()[0] for d, _ in tail] == [f"b1-{j:04d}" for j in range(1196, 1201)]
    burst(2)
    burst(3)
    assert (tmp / "bursts.out.2").exists(), "the bursts rotated the file twice"
    resumed = EventStream(admin, path, last_event_id=tail[2][1])  # after b1-1198
    try:
        rest = resumed.logs(2 + 2 * 1200)
    finally:
        resumed.close()
    expected = ["b1-1199", "b1-1200"] + [f"b{n}-{j:04d}" for n in (2, 3) for j in range(1, 1201)]
    assert [d.split()[0] for d, _ in rest] == expected
    inodes = {i.split(":")[0] for _, i in rest}
    assert len(inodes) >= 3, inodes  # the lines came from three files
    assert rest[-1][1].split(":")[0] == str(os.stat(out).st_ino)
    # A new stream (the console's own reconnect) may name the id in the query instead.
    again = EventStream(admin, path + f"&last_event_id={rest[-2][1]}")
    try:
        assert again.logs(1)[0][0].split()[0] == "b3-1200"
    finally:
        again.close()
    status, payload = admin.get(path, headers={"Last-Event-ID": "not-an-id"})
    assert status == 400 and payload["message"].startswith("Last-Event-ID:"), payload


def test_viewers_of_one_output_share_one_follow_each_with_its_own_tail_or_resume(site):
    """The web node follows a task's output once for every browser watching it: a viewer who
    joins later gets the tail it asked for, or the lines after its Last-Event-ID, from the
    lines the shared follow keeps."""
    admin = site["admin"]
    tmp = site["tmp"]
    script = """n=0
while true; do
  if [ -e go ]; then
    rm -f go
    n=$((n+1))
    for j in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do echo "s$n-$j"; done
  fi
  sleep 0.05
done
"""
    app = started_app(site, "shared", script)

    def burst():
        (tmp / "go").touch()
        wait_until(lambda: not (tmp / "go").exists(), 10, "the burst")

    def follows():
        with urllib.request.urlopen(admin.base + "/metrics", timeout=10) as r:
            text = r.read().decode()
        line = next(l for l in text.splitlines() if l.startswith("asgard_web_live_follows "))
        return int(line.split()[1])

    def words(events):
        return [data for data, _ in events]

    burst()
    path = f"/api/v1/sse/out_log/app?app_id={app['id']}"
    first = EventStream(admin, path + "&lines=5")
    later = resumed = None
    try:
        assert words(first.logs(5)) == [f"s1-{j}" for j in range(16, 21)]
        burst()
        seen = first.logs(20)
        assert words(seen) == [f"s2-{j:02d}" for j in range(1, 21)]
        later = EventStream(admin, path + "&lines=3")
        assert words(later.logs(3)) == ["s2-18", "s2-19", "s2-20"]
        resumed = EventStream(admin, path, last_event_id=seen[9][1])  # after s2-10
        assert words(resumed.logs(10)) == [f"s2-{j}" for j in range(11, 21)]
        assert follows() == 1
        burst()
        third = [f"s3-{j:02d}" for j in range(1, 21)]
        assert words(first.logs(20)) == third
        assert words(later.logs(20)) == third
        assert words(resumed.logs(20)) == third
    finally:
        for stream in (first, later, resumed):
            if stream:
                stream.close()
    wait_until(lambda: follows() == 0, 10, "the follow to end with its last viewer")
