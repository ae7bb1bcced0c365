"""Local receivers for the notification tests: an SMTP server that requires STARTTLS and a
login (aiosmtpd, Debian's python3-aiosmtpd) with a certificate from a throw-away test CA, and
an HTTP endpoint that keeps what webhooks POST."""

import email
import email.policy
import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from fleet_harness import free_port

MAIL_USER = "asgard@example.com"
MAIL_PASSWORD = "mail-pass-1"


def make_ca_and_cert(d):
    """A test CA and a server certificate for 127.0.0.1; returns (ca, cert, key) paths."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=asgard-mail-test-ca")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "smtp.key", "-out", "smtp.csr",
        "-subj", "/CN=127.0.0.1")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "smtp.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "smtp.pem", "-days", "2", "-extfile", "ext.cnf")
    return d / "ca.pem", d / "smtp.pem", d / "smtp.key"


class Inbox:
    """aiosmtpd handler: every message accepted, parsed, with whether TLS and a login were used."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=email.policy.default)
        with self.lock:
            self.messages.append({
                "mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                "subject": str(msg["subject"]), "from": str(msg["from"]),
                "body": msg.get_content(), "content_type": msg.get_content_type(),
                "tls": session.ssl is not None, "login": session.authenticated})
        return "250 OK"

    def all(self):
        with self.lock:
            return list(self.messages)


def check_login(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == MAIL_USER.encode()
          and auth_data.password == MAIL_PASSWORD.encode())
    return AuthResult(success=ok)


class SmtpServer:
    """STARTTLS required before anything else, login required before MAIL."""

    def __init__(self, cert, key):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(cert), str(key))
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                     tls_context=ctx, require_starttls=True,
                                     authenticator=check_login, auth_require_tls=True,
                                     auth_required=True)
        self.controller.start()

    def stop(self):
        self.controller.stop()


class Hooks:
    """POST bodies received, by path; answers each path with the JSON set in `answers`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts = []
        self.answers = {}
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with hooks.lock:
                    hooks.posts.append({"path": self.path, "type": self.headers["Content-Type"],
                                        "body": json.loads(body)})
                    answer = hooks.answers.get(self.path, {"errcode": 0, "errmsg": "ok"})
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def bodies(self, path="/hook"):
        with self.lock:
            return [p["body"] for p in self.posts if p["path"] == path]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
