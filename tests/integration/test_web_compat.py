"""The original Asgard's /api/v1 clients against our web node (issue 11): the request shapes of
its console (web-admin/src/api/) and of scripts written for it (ORIGINAL.md 7.5, 7.8): form
bodies, `group_id=0` for any group, `status=-99` for any status, the password change with the
new password alone, bare tokens, raw lines over SSE."""


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
