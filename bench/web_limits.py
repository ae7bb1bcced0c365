"""The web node under abuse (issue 13: "The web node keeps answering: an event-driven HTTP front
with limits"). `asgard all` in a temp dir (SQLite, one app printing a line twice a second) next
to nginx (Debian's nginx-light, 2 workers) serving the same /health and apps-page bytes as
static files at the same paths, all in one run:

  1. Other requests under abuse. 1,000 slowloris connections (a request header that never
     ends: one more byte every 5 s) and 500 live-log streams (GET /api/v1/sse/out_log/app, read
     and discarded) from 127.0.0.2-9, opened in a shuffled order and held for 65 s.
     Meanwhile GET /health and GET /api/v1/apps?page=1 (Bearer token) from 127.0.0.1, a new
     connection each, started at a fixed rate (10/s for 20 s, open loop, so that a stuck server
     cannot stretch the run), 5 s timeout. A failed request (timeout, refused, reset, non-200)
     counts as 5,000 ms in the percentiles and as an error. Also: how the server treated the
     abusive connections (answered, closed and after how long, reset, refused). The same probe
     without abuse first gives the client's own floor. nginx gets the same slowloris load and,
     as it has no live stream, 500 keep-alive connections held open after one GET of the apps
     page. Target: p99 < 50 ms and no error.
  2. RSS (VmRSS) and threads before and with 1,000 idle keep-alive connections (one GET /health
     each, then silent), asgard against nginx (master + workers summed).
  3. wrk on GET /health and on the apps page, asgard against nginx: requests/s and ratio
     (target for /health: >= 0.7x).

  bench/run.sh limits [--slow 1000] [--streams 500] [--idle 1000] [--hold 65]
                      [--probe-seconds 20] [--probe-rate 10] [--seconds 8] [--json FILE] [--keep]
Needs: apt-get install -y wrk nginx-light. About 3.5 min (2.3 with --hold 0). Raises its own
RLIMIT_NOFILE to 65536 where the hard limit allows (asgard and nginx inherit it).
"""

import argparse
import collections
import contextlib
import errno
import heapq
import itertools
import json
import os
import random
import re
import resource
import selectors
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import web  # noqa: E402  (start_all, call, wrk, cpu_seconds)

PASSWORD = "Bench-pass-2026"
APPS = "/api/v1/apps?page=1"
now = time.monotonic


# ---------------------------------------------------------------- raw connections, one loop

class Conn:
    """One client connection driven by Loop.

    kind: "slow" (partial header, one more byte every `trickle` s, never ends), "stream" (reads
    and discards an endless answer), "idle" (one request, reads its answer, stays open) or
    "probe" (one request, done at its complete answer, fails after `timeout` s)."""

    def __init__(self, kind, src, request, trickle=0.0, timeout=None):
        self.kind, self.src, self.request = kind, src, request
        self.trickle, self.timeout = trickle, timeout
        self.sock = None
        self.t0 = self.t_conn = self.t_answer = self.t_end = None
        self.status = None  # HTTP status of the answer, once its first line came
        self.end = None  # why it ended: ok, closed, reset, refused, timeout, ours, or an errno
        self.buf = b""
        self.nbytes = 0
        self.events = 0  # "event: log" seen (streams)

    def complete(self):
        """True once buf holds one whole answer (Content-Length or chunked)."""
        i = self.buf.find(b"\r\n\r\n")
        if i < 0:
            return False
        head = self.buf[:i].lower()
        m = re.search(rb"\r\ncontent-length:\s*(\d+)", head)
        if m:
            return len(self.buf) - i - 4 >= int(m.group(1))
        return b"chunked" in head and self.buf.endswith(b"0\r\n\r\n")


class Loop:
    """A selector over every connection of the bench, and timers (one thread: the slowloris
    bytes, the streams and the probes do not compete for the GIL)."""

    def __init__(self, dst):
        self.dst = dst
        self.sel = selectors.DefaultSelector()
        self.timers = []
        self.seq = itertools.count()

    def at(self, t, fn):
        heapq.heappush(self.timers, (t, next(self.seq), fn))

    def open(self, c):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.sock, c.t0 = s, now()
        try:
            s.bind((c.src, 0))
            err = s.connect_ex(self.dst)
        except OSError as e:
            err = e.errno
        if err not in (0, errno.EINPROGRESS):
            self.finish(c, errno.errorcode.get(err, str(err)))
            return c
        self.sel.register(s, selectors.EVENT_WRITE, c)
        if c.timeout:
            self.at(c.t0 + c.timeout, lambda: self.finish(c, "timeout"))
        return c

    def finish(self, c, why):
        if c.end is not None:
            return
        c.end, c.t_end = why, now()
        if c.sock is not None:
            with contextlib.suppress(KeyError, ValueError):
                self.sel.unregister(c.sock)
            c.sock.close()

    def _connected(self, c):
        err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self.finish(c, {errno.ECONNREFUSED: "refused", errno.ECONNRESET: "reset"}.get(
                err, errno.errorcode.get(err, str(err))))
            return
        c.t_conn = now()
        try:
            c.sock.send(c.request)
        except OSError as e:
            self.finish(c, "reset" if e.errno in (errno.ECONNRESET, errno.EPIPE) else str(e))
            return
        self.sel.modify(c.sock, selectors.EVENT_READ, c)
        if c.trickle:
            self.at(c.t_conn + random.uniform(0.1, 1.0) * c.trickle, lambda: self._trickle(c))

    def _trickle(self, c):
        if c.end is not None:
            return
        try:
            c.sock.send(b"a")  # one more byte of a header line that never ends
        except OSError as e:
            self.finish(c, "reset" if e.errno in (errno.ECONNRESET, errno.EPIPE) else str(e))
            return
        self.at(now() + c.trickle, lambda: self._trickle(c))

    def _readable(self, c):
        try:
            data = c.sock.recv(65536)
        except BlockingIOError:
            return
        except ConnectionResetError:
            self.finish(c, "reset")
            return
        except OSError as e:
            self.finish(c, errno.errorcode.get(e.errno, str(e)))
            return
        if not data:
            if c.kind == "probe" and c.t_answer is None and c.status and b"\r\n\r\n" in c.buf:
                c.t_answer = now()  # an answer without length, ended by the close
                self.finish(c, "ok")
            else:
                self.finish(c, "closed")
            return
        c.nbytes += len(data)
        if c.kind == "stream":
            c.events += data.count(b"event: log")
            if c.status is None:
                c.buf += data[:256]
        elif c.t_answer is None:
            c.buf += data
        if c.status is None and b"\r\n" in c.buf:
            m = re.match(rb"HTTP/1\.[01] (\d{3})", c.buf)
            c.status = int(m.group(1)) if m else -1
            if c.kind == "stream":
                c.buf = b""
        if c.kind in ("probe", "idle") and c.t_answer is None and c.complete():
            c.t_answer = now()
            c.buf = b""
            if c.kind == "probe":
                self.finish(c, "ok")

    def run_for(self, seconds, until=None):
        """Runs the loop for `seconds`, or until until() is true (checked every 50 ms)."""
        end = now() + seconds
        next_check = now()
        while True:
            t = now()
            if t >= end:
                return
            if until is not None and t >= next_check:
                if until():
                    return
                next_check = t + 0.05
            while self.timers and self.timers[0][0] <= t:
                heapq.heappop(self.timers)[2]()
            wait = end - now()
            if self.timers:
                wait = min(wait, self.timers[0][0] - now())
            if until is not None:
                wait = min(wait, 0.05)
            for key, mask in self.sel.select(max(wait, 0)):
                c = key.data
                if c.t_conn is None:
                    self._connected(c)
                else:
                    self._readable(c)

    def open_paced(self, conns, per_tick=100, tick=0.1):
        """Opens conns in batches (per_tick every tick s), running the loop in between."""
        for i in range(0, len(conns), per_tick):
            for c in conns[i:i + per_tick]:
                self.open(c)
            self.run_for(tick)

    def close(self, conns):
        for c in conns:
            self.finish(c, "ours")


def request(path, token=None, close=False, end=True):
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    if close:
        head += "Connection: close\r\n"
    return (head + ("\r\n" if end else "")).encode()


def sources(base, n):
    """n loopback addresses from base (e.g. 127.0.0.2): Linux routes all of 127/8 to lo."""
    a, b_, c, d = (int(x) for x in base.split("."))
    return [f"{a}.{b_}.{c}.{d + i}" for i in range(n)]


# ---------------------------------------------------------------- measurements

def proc_figures(pids):
    """Summed VmRSS (KiB), threads and fds of live pids."""
    rss = threads = fds = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            m = bl.proc_mem(pid)
            rss += m.get("VmRSS", 0)
            threads += m.get("Threads", 0)
            fds += max(bl.fd_count(pid), 0)
    return {"rss_kib": rss, "threads": threads, "fds": fds}


def probe(loop, token, seconds, rate, timeout):
    """GET /health and GET /api/v1/apps?page=1 alternately from 127.0.0.1, a new connection each,
    `rate` per second for `seconds` (open loop); returns {path: figures}."""
    conns = []
    t0 = now() + 0.05
    n = int(seconds * rate)
    for i in range(n):
        path = "/health" if i % 2 == 0 else APPS
        c = Conn("probe", "127.0.0.1", request(path, token, close=True), timeout=timeout)
        c.path = path
        conns.append(c)
        loop.at(t0 + i / rate, lambda c=c: loop.open(c))
    loop.run_for(seconds + timeout + 0.5, until=lambda: all(c.end for c in conns))
    loop.close(conns)
    out = {}
    for path in ("/health", APPS):
        mine = [c for c in conns if c.path == path]
        ok = [c for c in mine if c.end == "ok" and c.status == 200]
        errors = collections.Counter()
        for c in mine:
            if c.end == "ok" and c.status != 200:
                errors[f"HTTP {c.status}"] += 1
            elif c.end == "timeout":
                errors["timeout" if c.t_conn else "connect timeout"] += 1
            elif c.end != "ok":
                errors[c.end] += 1
        ms = [1000 * (c.t_answer - c.t0) if c in ok else 1000 * timeout for c in mine]
        out[path] = {"n": len(mine), "ok": len(ok), "errors": sum(errors.values()),
                     "error_kinds": dict(errors), "p50": bl.pct(ms, 50), "p99": bl.pct(ms, 99),
                     "max": max(ms) if ms else float("nan"),
                     "ok_max": max((1000 * (c.t_answer - c.t0) for c in ok), default=None)}
    return out


def abusive_figures(conns, t_end):
    """What the server did with each kind of abusive connection, until t_end."""
    out = {}
    for kind in sorted({c.kind for c in conns}):
        mine = [c for c in conns if c.kind == kind]
        closed = [c for c in mine if c.end == "closed" and c.t_conn]
        statuses = collections.Counter(c.status for c in mine if c.status is not None)
        lifetimes = [c.t_end - c.t_conn for c in closed]
        failed = collections.Counter(c.end for c in mine if c.end not in (None, "closed", "ours")
                                     and not (c.end == "reset" and c.t_conn))
        out[kind] = {
            "n": len(mine),
            "connected": sum(1 for c in mine if c.t_conn),
            "connect_pending": sum(1 for c in mine if c.t_conn is None and c.end is None),
            "connect_failed": dict(failed),
            "answered": {str(k): v for k, v in sorted(statuses.items())},
            "unanswered_open": sum(1 for c in mine if c.t_conn and c.end is None
                                   and c.status is None),
            "closed_by_server": len(closed),
            "closed_after_s": [round(bl.pct(lifetimes, 50), 1), round(max(lifetimes), 1)]
            if lifetimes else None,
            "reset_by_server": sum(1 for c in mine if c.end == "reset" and c.t_conn),
            "open_at_end": sum(1 for c in mine if c.end is None and c.t_conn),
            "log_events": sum(c.events for c in mine),
            "streams_with_events": sum(1 for c in mine if c.events),
            "connect_ms_max": round(1000 * max((c.t_conn - c.t0 for c in mine if c.t_conn),
                                               default=0), 1),
            "held_s": round(t_end - min(c.t0 for c in mine), 1),
        }
    return out


def abuse(loop, args, token, abusive_request, pids):
    """Opens the slowloris and stream connections, waits args.settle s, probes while they are
    open, holds them until args.hold s after the first was opened, then closes them. Returns
    (probe figures, abusive figures, server figures)."""
    srcs = sources("127.0.0.2", args.addresses)
    conns = [Conn("slow", srcs[i % len(srcs)], request("/api/v1/apps", end=False), trickle=5.0)
             for i in range(args.slow)]
    kind, req = abusive_request
    conns += [Conn(kind, srcs[i % len(srcs)], req) for i in range(args.streams)]
    random.shuffle(conns)
    t0 = now()
    loop.open_paced(conns)
    loop.run_for(args.settle)
    during = probe(loop, token, args.probe_seconds, args.probe_rate, args.timeout)
    server = proc_figures(pids())
    loop.run_for(args.hold - (now() - t0))  # to see whether (and when) the server drops them
    figures = abusive_figures(conns, now())
    loop.close(conns)
    return during, figures, server


def idle(loop, n, addresses, pids, hold=3.0, wait=20.0):
    """RSS and threads before and `hold` s after opening n keep-alive connections that each did
    one GET /health; then how many were answered and closed by the server within `wait` s."""
    before = proc_figures(pids())
    srcs = sources("127.0.1.1", addresses)
    conns = [Conn("idle", srcs[i % len(srcs)], request("/health")) for i in range(n)]
    t0 = now()
    loop.open_paced(conns, per_tick=250, tick=0.05)
    loop.run_for(hold - (now() - t0))
    with_ = proc_figures(pids())
    with_["answered"] = sum(1 for c in conns if c.t_answer)
    with_["open"] = sum(1 for c in conns if c.t_conn and c.end is None)
    loop.run_for(wait - (now() - t0), until=lambda: all(c.t_answer or c.end for c in conns))
    after = {"answered": sum(1 for c in conns if c.t_answer),
             "closed_by_server": sum(1 for c in conns if c.end in ("closed", "reset")),
             "open": sum(1 for c in conns if c.t_conn and c.end is None),
             "seconds": round(now() - t0, 1),
             "answer_s_max": round(max((c.t_answer - c.t0 for c in conns if c.t_answer),
                                       default=0), 2)}
    first_close = [c.t_end - c.t0 for c in conns if c.end in ("closed", "reset")]
    after["first_close_s"] = round(min(first_close), 1) if first_close else None
    loop.close(conns)
    return {"before": before, "with": with_, "after": after}


def recovery(loop, token, timeout, within=20.0):
    """Seconds until GET /health answers again after the abuse ended (None: not within)."""
    t0 = now()
    while now() - t0 < within:
        c = loop.open(Conn("probe", "127.0.0.1", request("/health", close=True),
                           timeout=timeout))
        loop.run_for(timeout + 0.1, until=lambda: c.end)
        if c.end == "ok" and c.status == 200:
            return round(now() - t0, 2)
        loop.run_for(0.5)
    return None


# ---------------------------------------------------------------- setup

def raise_nofile(limit=65536):
    with contextlib.suppress(ValueError, OSError):  # root may raise the hard limit too
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    return bl.raise_nofile(limit)


def start_asgard(b):
    daemon, base = web.start_all(b)
    host, port = base[len("http://"):].rsplit(":", 1)
    token = web.call(base, "POST", "/api/v1/auth/login",
                     form={"username": "admin", "password": "123456"})["token"]
    token = web.call(base, "POST", "/api/v1/auth/change_password", token,
                     {"old_password": "123456", "password": PASSWORD})["token"]
    agents = bl.wait_for(lambda: web.call(base, "GET", "/api/v1/agents", token)["list"], 30,
                         interval=0.1, what="local agent")
    app = web.call(base, "POST", "/api/v1/apps", token,
                   {"name": "tick", "agent_id": agents[0]["id"], "program": "/bin/sh",
                    "args": "-c 'while true; do echo tick; sleep 0.5; done'",
                    "std_out": b.path("tick.out")})
    web.call(base, "POST", f"/api/v1/apps/{app['id']}/start", token)
    return daemon, base, (host, int(port)), token, app["id"]


def start_nginx(b, bodies):
    """nginx with the given {path: bytes} as static files at the same paths."""
    www = b.path("www")
    for path, body in bodies.items():
        file = os.path.join(www, path.split("?")[0].lstrip("/"))
        os.makedirs(os.path.dirname(file), exist_ok=True)
        with open(file, "wb") as f:
            f.write(body)
    with socket.socket() as s:  # nginx cannot listen on port 0: pick a free one
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with open(b.path("nginx.conf"), "w") as f:
        f.write(f"user root;\nworker_processes 2;\nworker_rlimit_nofile 65536;\ndaemon off;\n"
                f"pid {b.path('nginx.pid')};\nerror_log {b.path('nginx.err')};\n"
                "events { worker_connections 4096; }\n"
                "http { access_log off; keepalive_timeout 75s; client_header_timeout 60s;\n"
                f"  server {{ listen 127.0.0.1:{port}; root {www}; }} }}\n")
    daemon = b.start("nginx", ["nginx", "-c", b.path("nginx.conf"), "-p", b.tmp])
    bl.wait_for(lambda: len(bl.children_of(daemon.pid)) >= 2, 10, interval=0.05,
                what="nginx workers")
    time.sleep(0.3)
    return daemon, ("127.0.0.1", port)


def fetch(base, path, token):
    import urllib.request
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read()


# ---------------------------------------------------------------- report

def ms(v):
    return "-" if v is None or v != v else (f"{v:,.0f}" if v >= 100 else f"{v:.2f}")


def kib(v):
    return f"{v / 1024:.1f} MiB"


def print_probe_table(results):
    rows = []
    for label, fig in results:
        for path, r in fig.items():
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(r["error_kinds"].items())) or "-"
            rows.append([label, "GET " + path, r["n"], ms(r["p50"]), ms(r["p99"]), ms(r["max"]),
                         r["errors"], kinds])
    bl.print_table(["server, load", "request", "n", "p50 ms", "p99 ms", "max ms", "errors",
                    "errors by kind"], rows)


def print_abusive_table(results):
    rows = []
    for label, fig in results:
        for kind, r in fig.items():
            after = (f"{r['closed_by_server']} (after {r['closed_after_s'][0]} / "
                     f"{r['closed_after_s'][1]} s)" if r["closed_after_s"] else "0")
            failed = ", ".join(f"{k} {v}" for k, v in r["connect_failed"].items()) or "0"
            answered = ", ".join(f"{k}: {v}" for k, v in r["answered"].items()) or "none"
            extra = f"; {r['streams_with_events']} got log events" if kind == "stream" else ""
            rows.append([label, kind, r["n"], r["connected"], failed, r["connect_pending"],
                         answered + extra, r["unanswered_open"], after, r["reset_by_server"],
                         r["open_at_end"], r["connect_ms_max"]])
    bl.print_table(["server", "kind", "n", "connected", "connect failed", "connect pending",
                    "answered (HTTP status: n)", "open, no answer", "closed by server (p50 / max)",
                    "reset", "open at end", "connect max ms"], rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slow", type=int, default=1000, help="slowloris connections")
    ap.add_argument("--streams", type=int, default=500, help="live-log streams")
    ap.add_argument("--idle", type=int, default=1000, help="idle keep-alive connections")
    ap.add_argument("--addresses", type=int, default=8,
                    help="loopback source addresses of the abusive and idle connections")
    ap.add_argument("--settle", type=float, default=5.0,
                    help="seconds between opening the abusive connections and probing")
    ap.add_argument("--hold", type=float, default=65.0,
                    help="seconds the abusive connections are held in all (nginx's "
                         "client_header_timeout is 60 s); the probes take the first ~30")
    ap.add_argument("--probe-seconds", type=float, default=20.0)
    ap.add_argument("--probe-rate", type=float, default=10.0, help="probe requests per second")
    ap.add_argument("--timeout", type=float, default=5.0, help="probe request timeout, s")
    ap.add_argument("--seconds", type=int, default=8, help="wrk duration")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    bl.need("wrk", "wrk")
    bl.need("nginx", "nginx-light")
    nofile = raise_nofile()
    random.seed(13)  # the same shuffle of slow and stream connections in every run
    t_start = now()
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(bl.machine_note())
    print(f"asgard: {bl.asgard_binary()}; {bl.version_of(['nginx', '-v'])}; "
          f"RLIMIT_NOFILE {nofile[0]}")
    res = {"date": date, "machine": bl.machine_note(), "args": vars(args)}
    loops = []
    with bl.Bench("limits", keep=args.keep) as b:
        try:
            asg, base, asg_dst, token, app_id = start_asgard(b)
            bodies = {"/health": fetch(base, "/health", token), APPS: fetch(base, APPS, token)}
            ngx, ngx_dst = start_nginx(b, bodies)
            bl.log(f"asgard at {base}, nginx at {ngx_dst[1]}; /health {len(bodies['/health'])} "
                   f"bytes, apps page {len(bodies[APPS])} bytes")
            a_loop, n_loop = Loop(asg_dst), Loop(ngx_dst)
            loops += [a_loop, n_loop]
            a_pids = lambda: [asg.pid] if asg.alive() else []
            n_pids = lambda: [ngx.pid, *bl.children_of(ngx.pid)] if ngx.alive() else []
            time.sleep(2)  # the app's first lines, the agent's first report

            # 2. Memory and threads with idle keep-alive connections.
            bl.log(f"idle: {args.idle} keep-alive connections to asgard, then nginx")
            res["idle"] = {"asgard": idle(a_loop, args.idle, args.addresses, a_pids),
                           "nginx": idle(n_loop, args.idle, args.addresses, n_pids)}

            # 3. Throughput.
            res["wrk"] = {}
            for name, path in (("/health", "/health"), ("apps page", APPS)):
                for server, url, pid in (("asgard", base + path, asg.pid),
                                         ("nginx", f"http://127.0.0.1:{ngx_dst[1]}{path}", None)):
                    bl.log(f"wrk {server} {path}")
                    cpu0 = web.cpu_seconds(pid) if pid else 0
                    try:
                        r = web.wrk(url, args, token)
                    except Exception as e:  # noqa: BLE001 (a dead server: still print the rest)
                        r = {"rps": 0.0, "total": 0, "p50": None, "p99": None, "errors": -1,
                             "failed": str(e)[:200]}
                    if pid and r["total"]:
                        r["cpu_us_per_req"] = 1e6 * (web.cpu_seconds(pid) - cpu0) / r["total"]
                    res["wrk"][f"{server} {name}"] = r

            # 1. Other requests, quiet then under abuse.
            res["probe"] = {}
            bl.log("probe without abuse: asgard, nginx")
            res["probe"]["asgard, quiet"] = probe(a_loop, token, args.probe_seconds / 2,
                                                  args.probe_rate, args.timeout)
            res["probe"]["nginx, quiet"] = probe(n_loop, token, args.probe_seconds / 2,
                                                 args.probe_rate, args.timeout)
            sse = request(f"/api/v1/sse/out_log/app?app_id={app_id}", token)
            bl.log(f"abuse asgard: {args.slow} slowloris + {args.streams} streams, "
                   f"probe {args.probe_seconds:.0f} s")
            during, abusive, server = abuse(a_loop, args, token, ("stream", sse), a_pids)
            res["probe"]["asgard, under abuse"] = during
            res["abusive"] = {"asgard": abusive}
            res["server_under_abuse"] = {"asgard": server}
            res["asgard_recovered_s"] = recovery(a_loop, token, args.timeout)
            res["asgard_alive"] = asg.alive()
            bl.log(f"abuse nginx: {args.slow} slowloris + {args.streams} held keep-alive")
            during, abusive, server = abuse(n_loop, args, token,
                                            ("held", request(APPS, token)), n_pids)
            res["probe"]["nginx, under abuse"] = during
            res["abusive"]["nginx"] = abusive
            res["server_under_abuse"]["nginx"] = server
        finally:
            for lp in loops:  # before the daemons stop: a held connection may delay a stop
                lp.close([k.data for k in list(lp.sel.get_map().values())])
    res["seconds"] = round(now() - t_start)
    report(res, args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)


def report(res, args):
    print(f"\n## 1. Other requests while {args.slow} slowloris and {args.streams} streams are "
          f"open (from {args.addresses} loopback addresses)")
    print(f"# probes from 127.0.0.1, a new connection each, {args.probe_rate:g}/s alternating the "
          f"two requests, {args.timeout:g} s timeout; a failed request counts as "
          f"{1000 * args.timeout:,.0f} ms")
    print_probe_table(list(res["probe"].items()))
    held = max(r["held_s"] for fig in res["abusive"].values() for r in fig.values())
    print(f"\n# what the servers did with the abusive connections, held ~{held:.0f} s (nginx: "
          "'held' = keep-alive connections after one GET of the apps page; closed after: seconds "
          "from connect)")
    print_abusive_table(list(res["abusive"].items()))
    su = res["server_under_abuse"]
    print("# server at the end of the probe window: " + "; ".join(
        f"{k} RSS {kib(v['rss_kib'])}, {v['threads']} threads, {v['fds']} fds"
        for k, v in su.items()))
    rec = res["asgard_recovered_s"]
    print(f"# asgard answered /health again {rec} s after the abusive connections closed"
          if rec is not None else "# asgard did not answer /health within 20 s after the abuse")

    print(f"\n## 2. RSS and threads with {args.idle} idle keep-alive connections "
          "(one GET /health each)")
    rows = []
    for server, r in res["idle"].items():
        a = r["after"]
        rows.append([server, kib(r["before"]["rss_kib"]), r["before"]["threads"],
                     kib(r["with"]["rss_kib"]), r["with"]["threads"], r["with"]["fds"],
                     f"{r['with']['answered']} / {r['with']['open']}",
                     f"{a['answered']} (last after {a['answer_s_max']} s), "
                     f"{a['closed_by_server']} closed"
                     + (f" (first after {a['first_close_s']} s)" if a["first_close_s"] else "")
                     + f", {a['open']} open at {a['seconds']} s"])
    bl.print_table(["server", "RSS before", "threads before", "RSS with", "threads with",
                    "fds with", "answered / open at 3 s", "then"], rows)

    print(f"\n## 3. wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, same bytes "
          "(nginx: static files)")
    rows = []
    w = res["wrk"]
    for key, r in w.items():
        cpu = r.get("cpu_us_per_req")
        rows.append([key, f"{r['rps']:,.0f}", ms(r["p50"]), ms(r["p99"]), r["errors"],
                     f"{cpu:.0f}" if cpu else "-"])
    bl.print_table(["server, request", "requests/s", "p50 ms", "p99 ms", "non-2xx",
                    "asgard CPU us/req"], rows)

    def ratio(name):
        n = w[f"nginx {name}"]["rps"]
        return w[f"asgard {name}"]["rps"] / n if n else float("nan")

    res["ratio_health"], res["ratio_apps"] = ratio("/health"), ratio("apps page")
    abused = res["probe"]["asgard, under abuse"]
    p99 = max(r["p99"] for r in abused.values())
    errors = sum(r["errors"] for r in abused.values())
    n = sum(r["n"] for r in abused.values())
    ngx = res["probe"]["nginx, under abuse"]
    ia, ig = res["idle"]["asgard"], res["idle"]["nginx"]
    print(f"\n## Summary ({res['date']}, {res['seconds']} s)")
    bl.print_table(["figure", "asgard", "nginx, same run", "target", "verdict"], [
        ["other requests under abuse: p99 (worst of the two) / errors",
         f"{ms(p99)} ms / {errors} of {n}",
         f"{ms(max(r['p99'] for r in ngx.values()))} ms / "
         f"{sum(r['errors'] for r in ngx.values())} of {sum(r['n'] for r in ngx.values())}",
         "p99 < 50 ms, no error", "met" if p99 < 50 and errors == 0 else "MISSED"],
        [f"RSS / threads, before -> with {args.idle} idle connections",
         f"{kib(ia['before']['rss_kib'])} / {ia['before']['threads']} -> "
         f"{kib(ia['with']['rss_kib'])} / {ia['with']['threads']} "
         f"({ia['with']['answered']} answered at 3 s)",
         f"{kib(ig['before']['rss_kib'])} / {ig['before']['threads']} -> "
         f"{kib(ig['with']['rss_kib'])} / {ig['with']['threads']} "
         f"({ig['with']['answered']} answered)", "measure", "-"],
        ["GET /health requests/s", f"{w['asgard /health']['rps']:,.0f}",
         f"{w['nginx /health']['rps']:,.0f}", ">= 0.7x nginx",
         f"{res['ratio_health']:.2f}x: " + ("met" if res["ratio_health"] >= 0.7 else "MISSED")],
        ["apps page requests/s", f"{w['asgard apps page']['rps']:,.0f}",
         f"{w['nginx apps page']['rps']:,.0f}", "measure (issue 4: >= 0.25x)",
         f"{res['ratio_apps']:.2f}x"],
    ])


if __name__ == "__main__":
    main()
