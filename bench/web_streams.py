"""The API with and without 100 live-log streams open (issue 4: an open SSE stream must not
slow the rest of the API). `asgard all` in a temp dir, one app printing twice a second, wrk on
GET /api/v1/apps?page=1 (16 connections, 8 s) before and while 100 clients follow its stdout.

  /usr/bin/python3 bench/web_streams.py        (needs wrk; ASGARD_BIN or build/asgard)
"""
import json, os, re, shutil, signal, subprocess, tempfile, threading, time, urllib.request

tmp = tempfile.mkdtemp(prefix="asgard-bench-streams-")
os.makedirs(f"{tmp}/conf")
with open(f"{tmp}/conf/app.yaml", "w") as f:
    f.write(f"runtime_dir: {tmp}/runtime\ncomponent: {{log: {{level: warn}}}}\n"
            "web: {port: 0}\nmaster: {port: 0}\nagent: {rpc: {port: 0}}\n")
binary = os.environ.get("ASGARD_BIN") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "asgard")
p = subprocess.Popen([binary, "all", "-c", f"{tmp}/conf"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
try:
    while not os.path.exists(f"{tmp}/runtime/web.addr"): time.sleep(0.1)
    base = "http://" + open(f"{tmp}/runtime/web.addr").read().strip()
    def call(m, path, tok=None, body=None, form=None):
        h = {}; d = None
        if form: d = "&".join(f"{k}={v}" for k, v in form.items()).encode(); h["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None: d = json.dumps(body).encode(); h["Content-Type"] = "application/json"
        if tok: h["Authorization"] = "Bearer " + tok
        return json.loads(urllib.request.urlopen(urllib.request.Request(base + path, data=d, method=m, headers=h)).read())["data"]
    t = call("POST", "/api/v1/auth/login", form={"username": "admin", "password": "123456"})["token"]
    t = call("POST", "/api/v1/auth/change_password", t, {"old_password": "123456", "password": "Xx-pass-99"})["token"]
    while not call("GET", "/api/v1/agents", t)["total"]: time.sleep(0.2)
    aid = call("GET", "/api/v1/agents", t)["list"][0]["id"]
    app = call("POST", "/api/v1/apps", t, {"name": "tick", "agent_id": aid, "program": "/bin/sh", "args": "-c 'while true; do echo tick; sleep 0.5; done'", "std_out": f"{tmp}/tick.out"})
    call("POST", f"/api/v1/apps/{app['id']}/start", t)
    time.sleep(2)
    def wrk(label):
        out = subprocess.run(["wrk", "-t2", "-c16", "-d8s", "--latency", "-H", "Authorization: Bearer " + t, base + "/api/v1/apps?page=1"], capture_output=True, text=True).stdout
        print(label, re.search(r"Requests/sec:\s+\S+", out).group(0), re.search(r" 50%\s+\S+", out).group(0), re.search(r" 99%\s+\S+", out).group(0))
    wrk("no streams:   ")
    streams, got = [], [0]
    def follow():
        r = urllib.request.urlopen(urllib.request.Request(base + f"/api/v1/sse/out_log/app?app_id={app['id']}", headers={"Authorization": "Bearer " + t}), timeout=60)
        streams.append(r)
        while True:
            line = r.readline()
            if not line: break
            if line.startswith(b"event: log"): got[0] += 1
    for _ in range(100): threading.Thread(target=follow, daemon=True).start()
    time.sleep(4)
    print("open streams:", len(streams), "log events so far:", got[0])
    wrk("100 streams:  ")
    print("log events after:", got[0])
finally:
    os.killpg(p.pid, signal.SIGTERM); p.wait(20)
    shutil.rmtree(tmp, ignore_errors=True)
