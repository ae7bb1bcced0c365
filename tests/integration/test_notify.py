"""Failure alerts (SPEC 9) against real receivers: mail through a local SMTP server that
requires STARTTLS and a login, with a certificate from a test CA, and webhooks to a local HTTP
endpoint. `asgard debug mail` / `debug webhook`, the master's start-up checks, alerts from
`asgard all` for a crash-looping app (throttled: one at once, one summary per window), none
for a stop a user asked for, and an agent going offline."""

import subprocess
import time

import pytest

from asgard_harness import asgard_bin, wait_until
from fleet_harness import agent_yaml, master_yaml, node, free_port
from notify_harness import MAIL_PASSWORD, MAIL_USER, Hooks, SmtpServer, make_ca_and_cert
from web_harness import admin_session, local_agent, start_all, wait_task


@pytest.fixture
def certs(tmp_path):
    d = tmp_path / "certs"
    d.mkdir()
    return make_ca_and_cert(d)


@pytest.fixture
def smtp(certs):
    server = SmtpServer(certs[1], certs[2])
    yield server
    server.stop()


@pytest.fixture
def hooks():
    h = Hooks()
    yield h
    h.stop()


def mail_component(smtp, ca):
    ca_line = f", ca: {ca}" if ca else ""
    return ("  mail:\n    asgard: {host: 127.0.0.1, port: %d, user: %s, password: %s, "
            "tls: true%s}\n" % (smtp.port, MAIL_USER, MAIL_PASSWORD, ca_line))


def mail_yaml(smtp, ca, extra=""):
    return "component:\n" + mail_component(smtp, ca) + extra


def run(args, cwd, timeout=60):
    return subprocess.run([asgard_bin(), *args], cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def write_conf(tmp_path, text):
    conf = tmp_path / "conf"
    conf.mkdir(exist_ok=True)
    (conf / "app.yaml").write_text(text)
    return conf


# ------------------------------------------------------------------------- asgard debug


def test_debug_mail_sends_over_verified_starttls_with_login(tmp_path, smtp, certs):
    conf = write_conf(tmp_path, mail_yaml(smtp, certs[0]))
    r = run(["debug", "mail", "-r", "ops@example.com", "-c", str(conf)], tmp_path)
    assert r.returncode == 0, r
    assert r.stdout == "debug send mail\nsend mail success!\n"
    [m] = smtp.inbox.all()
    assert m["subject"] == "Asgard Notice"
    assert m["mail_from"] == MAIL_USER and m["rcpt_tos"] == ["ops@example.com"]
    assert m["tls"] and m["login"]
    assert m["content_type"] == "text/html" and "Asgard Message" in m["body"]


def test_debug_mail_refuses_a_certificate_it_cannot_verify(tmp_path, smtp):
    conf = write_conf(tmp_path, mail_yaml(smtp, ca=None))  # the system CAs do not know it
    r = run(["debug", "mail", "-r", "ops@example.com", "-c", str(conf)], tmp_path)
    assert r.returncode == 1, r
    assert "send mail failed:" in r.stdout and "certificate" in r.stdout.lower(), r.stdout
    assert smtp.inbox.all() == []


def test_debug_mail_wrong_password_fails_and_says_so(tmp_path, smtp, certs):
    conf = write_conf(tmp_path, mail_yaml(smtp, certs[0]).replace(MAIL_PASSWORD, "wrong"))
    r = run(["debug", "mail", "-r", "ops@example.com", "-c", str(conf)], tmp_path)
    assert r.returncode == 1, r
    assert "send mail failed:" in r.stdout
    assert smtp.inbox.all() == []


def test_debug_mail_needs_a_receiver_and_a_mail_server(tmp_path):
    r = run(["debug", "mail", "-c", str(tmp_path)], tmp_path)
    assert r.returncode == 2 and "receiver can not be empty!" in r.stderr, r
    conf = write_conf(tmp_path, "master: {port: 9527}\n")
    r = run(["debug", "mail", "-r", "a@b.c", "-c", str(conf)], tmp_path)
    assert r.returncode == 2 and "component.mail.asgard is missing" in r.stderr, r


def test_debug_webhook_formats_and_robot_refusals(tmp_path, hooks):
    conf = write_conf(tmp_path, f"master: {{webhook: '{hooks.url()}', webhook_type: dingtalk}}\n")
    r = run(["debug", "webhook", "-c", str(conf)], tmp_path)
    assert r.returncode == 0 and "send webhook success!" in r.stdout, r
    [body] = hooks.bodies()
    assert body["msgtype"] == "text" and "[Asgard]" in body["text"]["content"]
    r = run(["debug", "webhook", "-c", str(conf), "--url", hooks.url("/feishu"), "--type",
             "feishu"], tmp_path)
    assert r.returncode == 0, r
    [body] = hooks.bodies("/feishu")
    assert body["msg_type"] == "text" and "[Asgard]" in body["content"]["text"]
    hooks.answers["/refuse"] = {"errcode": 310000, "errmsg": "keywords not in content"}
    r = run(["debug", "webhook", "-c", str(conf), "--url", hooks.url("/refuse")], tmp_path)
    assert r.returncode == 1, r
    assert "errcode 310000: keywords not in content" in r.stdout


def test_master_with_notify_but_no_receiver_does_not_start(tmp_path, smtp, certs):
    conf = write_conf(tmp_path, mail_yaml(smtp, certs[0], "master: {port: 0, notify: true}\n"))
    r = run(["master", "-c", str(conf)], tmp_path)
    assert r.returncode == 2, r
    assert "master.receiver is empty" in r.stderr


# ------------------------------------------------------------------------- alerts of runs


def test_crash_loop_alerts_once_then_one_summary_and_user_stops_do_not(asgard, smtp, certs,
                                                                       hooks, tmp_path):
    master = ("  notify: true\n  receiver: ops@example.com\n"
              f"  webhook: '{hooks.url()}'\n  notify_throttle: 6\n")
    all_node = start_all(asgard, master=master, components=mail_component(smtp, certs[0]))
    _, admin = admin_session(all_node)
    agent = local_agent(admin)
    calm = admin.ok("POST", "/api/v1/apps", {
        "name": "calm", "agent_id": agent["id"], "program": "sleep", "args": "300",
        "auto_restart": 1})
    admin.ok("POST", f"/api/v1/apps/{calm['id']}/start")
    wait_task(admin, "app", calm["id"], lambda t: t.get("state") == "running", "calm running")
    admin.ok("POST", f"/api/v1/apps/{calm['id']}/pause")  # a stop the user asked for
    crash = admin.ok("POST", "/api/v1/apps", {
        "name": "crasher", "agent_id": agent["id"], "program": "/bin/sh",
        "args": "-c 'echo boom >&2; exit 3'", "auto_restart": 1, "start_secs": 0,
        "max_restarts": 3, "backoff_max": 1})
    admin.ok("POST", f"/api/v1/apps/{crash['id']}/start")
    first = wait_until(lambda: smtp.inbox.all(), 30, "the first alert mail")[0]
    assert first["subject"] == "[Asgard] app crasher failed: exited with status 3", first
    assert "agent: " in first["body"] and "command: /bin/sh -c" in first["body"]
    assert first["rcpt_tos"] == ["ops@example.com"] and first["tls"]
    [hook] = wait_until(lambda: hooks.bodies(), 10, "the first webhook")
    assert hook["event"] == "failure" and hook["kind"] == "app" and hook["id"] == crash["id"]
    assert hook["name"] == "crasher" and hook["reason"] == "exited with status 3"
    # More failures inside the window are held, then summarised once.
    summary = wait_until(lambda: smtp.inbox.all()[1:], 20, "the summary mail")[0]
    assert "more failure" in summary["subject"], summary["subject"]
    assert "held back:" in summary["body"]
    archives = admin.ok("GET", f"/api/v1/archives/app?app_id={crash['id']}")
    assert archives["total"] >= 3, "the app crashed several times"
    time.sleep(3)
    mails = smtp.inbox.all()
    assert len(mails) == 2, [m["subject"] for m in mails]
    assert len(hooks.bodies()) == 2
    assert not any("calm" in m["subject"] for m in mails), "a paused app alerted"


# ------------------------------------------------------------------------- agent offline


def test_an_agent_gone_silent_alerts(asgard, hooks):
    port = free_port()
    master = node(asgard, "master", "m",
                  master_yaml(port).replace(
                      f"master: {{ip: 127.0.0.1, port: {port}}}\n",
                      f"master: {{ip: 127.0.0.1, port: {port}, webhook: '{hooks.url()}'}}\n"))
    master.start("-c", str(master.conf_dir))
    a = node(asgard, "agent", "a", agent_yaml(port))
    a.start("-c", str(a.conf_dir))
    wait_until(lambda: "registered" in master.log(), 20, "the agent registered")
    a.proc.kill()
    a.proc.wait(10)
    [body] = wait_until(lambda: hooks.bodies(), 15, "the offline alert")
    assert body["kind"] == "agent" and body["reason"].startswith("offline"), body
    assert "127.0.0.1:" in body["agent"]
