"""Helpers for the binary-level tests: run the real `asgard` daemons in a temp dir, talk to them
with the real client commands, and make sure nothing they started outlives a test.

Every daemon gets a private environment marker ASGARD_TEST_TAG=<uuid>. Its children inherit it
(a run's environment is the daemon's plus `env`), so every process a test caused, even one that
called setsid() and double-forked away, can be found in /proc/*/environ and killed afterwards.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Generous: the suite must pass on a loaded 2-core machine.
READY_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0
CLI_TIMEOUT = 30.0


def asgard_bin():
    """The binary under test: $ASGARD_BIN (set by CTest), else <repo>/build/asgard."""
    path = os.environ.get("ASGARD_BIN") or str(HERE.parent.parent / "build" / "asgard")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"asgard binary not found at {path!r}: set ASGARD_BIN")
    return path


def wait_until(fn, timeout, what, interval=0.05):
    """Polls fn() until it returns a truthy value (returned) or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# /proc helpers


def _pids():
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            yield int(entry)


def environ_of(pid):
    """The environment of `pid` as a dict ({} when unreadable, gone or a zombie)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            raw = f.read()
    except OSError:
        return {}
    env = {}
    for item in raw.split(b"\0"):
        key, sep, value = item.partition(b"=")
        if sep:
            env[key.decode(errors="replace")] = value.decode(errors="replace")
    return env


def stat_of(pid):
    """(state, ppid) of `pid` from /proc/<pid>/stat, or None when it does not exist."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rfind(")") + 2:].split()
    return fields[0], int(fields[1])


def cmdline_of(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def alive(pid):
    """True when `pid` exists and is not a zombie."""
    st = stat_of(pid)
    return st is not None and st[0] != "Z"


def gone(pid):
    return stat_of(pid) is None


def procs_with_env(key, value=None):
    """Pids (live, readable) whose environment has `key` (equal to `value` when given)."""
    out = []
    me = os.getpid()
    for pid in _pids():
        if pid == me:
            continue
        env = environ_of(pid)
        if key in env and (value is None or env[key] == value):
            out.append(pid)
    return out


def zombies_of(ppid):
    out = []
    for pid in _pids():
        st = stat_of(pid)
        if st and st[0] == "Z" and st[1] == ppid:
            out.append(pid)
    return out


def assert_no_zombies(ppid, timeout=5.0):
    """A child may be a zombie for an instant between its death and the reap; none may stay."""
    wait_until(lambda: not zombies_of(ppid) or None, timeout,
               f"zombie children of the daemon (pid {ppid}) to be reaped")


def cgroup2_mount():
    """Where cgroup2 is mounted, or None."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            if right.split()[:1] == ["cgroup2"]:
                return left.split()[4]
    return None


def without_writable_cgroups():
    """A command prefix that runs the daemon where cgroup2 is read-only (its own mount
    namespace, the same pid): what a container without a delegated cgroup looks like."""
    mount = cgroup2_mount()
    if not mount:
        return []
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
            'mount -o remount,bind,ro "$0" && exec "$@"', mount]


def cgroup2_parent():
    """Where the daemons (started by us, so in our cgroup) make their cgroups, or None."""
    mount = cgroup2_mount()
    if not mount:
        return None
    with open("/proc/self/cgroup") as f:
        own = next((l.strip()[3:] for l in f if l.startswith("0::")), None)
    if own is None:
        return None
    return Path(mount + ("" if own == "/" else own))


# ---------------------------------------------------------------------------------------------
# YAML (the tests write app.yaml by hand; every scalar is double-quoted JSON, which is YAML)


def q(value):
    return json.dumps(str(value))


def task_yaml(task):
    """One list entry; `task` is a dict of key -> str/int/bool/dict (env)."""
    lines = []
    for i, (key, value) in enumerate(task.items()):
        prefix = "  - " if i == 0 else "    "
        if isinstance(value, dict):
            lines.append(f"{prefix}{key}:")
            for k, v in value.items():
                lines.append(f"      {k}: {q(v)}")
        elif isinstance(value, bool):
            lines.append(f"{prefix}{key}: {'true' if value else 'false'}")
        elif isinstance(value, int):
            lines.append(f"{prefix}{key}: {value}")
        else:
            lines.append(f"{prefix}{key}: {q(value)}")
    return "\n".join(lines)


def config_yaml(apps=(), jobs=(), timings=(), runtime_dir=None, extra=""):
    parts = []
    if runtime_dir:
        parts.append(f"runtime_dir: {q(runtime_dir)}")
    if extra:
        parts.append(extra.rstrip("\n"))
    for key, items in (("app", apps), ("cron", jobs), ("timing", timings)):
        if items:
            parts.append(f"{key}:")
            parts.extend(task_yaml(t) for t in items)
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------------------------


class Daemon:
    """One `asgard guard` or `asgard cron` in its own working directory."""

    def __init__(self, workdir, role, tag, label="daemon"):
        self.workdir = Path(workdir)
        self.label = label  # names its stdout/stderr files: <label>-<start>.out/.err
        self.role = role
        self.tag = tag  # value of ASGARD_TEST_TAG in the daemon's environment
        self.proc = None
        self.runtime_dir = "runtime"
        self.extra_args = []
        self.command_prefix = []  # e.g. without_writable_cgroups()
        self.starts = 0

    # -- files

    @property
    def conf_dir(self):
        return self.workdir / "conf"

    def write_config(self, text=None, **kwargs):
        """Writes conf/app.yaml: raw `text`, or config_yaml(**kwargs)."""
        if text is None:
            text = config_yaml(**kwargs)
            if kwargs.get("runtime_dir"):
                self.runtime_dir = kwargs["runtime_dir"]
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.conf_dir / "app.yaml.tmp"
        tmp.write_text(text)
        os.replace(tmp, self.conf_dir / "app.yaml")

    def runtime(self, *parts):
        return self.workdir.joinpath(self.runtime_dir, *parts)

    @property
    def addr_file(self):
        return self.runtime(f"{self.role}.addr")

    @property
    def socket(self):
        return self.runtime(f"asgard_{self.role}")

    def log(self):
        try:
            return self.runtime(f"{self.role}.log").read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def output(self):
        """What the daemon printed (stdout, stderr) in its current/last start."""
        out = (self.workdir / f"{self.label}-{self.starts}.out").read_text(errors="replace")
        err = (self.workdir / f"{self.label}-{self.starts}.err").read_text(errors="replace")
        return out, err

    # -- lifecycle

    def spawn(self, *args):
        """Starts the daemon process without waiting for it (args after the role)."""
        assert self.proc is None or self.proc.poll() is not None, "daemon already running"
        self.starts += 1
        env = dict(os.environ)
        env["ASGARD_TEST_TAG"] = self.tag
        env.pop("ASGARD_RUN_ID", None)
        out = open(self.workdir / f"{self.label}-{self.starts}.out", "wb")
        err = open(self.workdir / f"{self.label}-{self.starts}.err", "wb")
        try:
            self.proc = subprocess.Popen(
                [*self.command_prefix, asgard_bin(), self.role, *args], cwd=self.workdir, env=env,
                stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        finally:
            out.close()
            err.close()
        return self.proc

    def start(self, *args, timeout=READY_TIMEOUT):
        """Starts the daemon and waits until it serves its socket."""
        self.spawn(*args)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=READY_TIMEOUT):
        def ready():
            if self.proc.poll() is not None:
                out, err = self.output()
                raise AssertionError(
                    f"asgard {self.role} exited with {self.proc.returncode} before it was ready"
                    f"\nstdout: {out}\nstderr: {err}")
            return self.addr_file.exists() and self.socket.exists()
        wait_until(ready, timeout, f"asgard {self.role} to write {self.addr_file}")

    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        assert self.running(), f"asgard {self.role} is not running"
        os.kill(self.proc.pid, sig)

    def reload(self):
        self.signal(signal.SIGHUP)

    def wait_exit(self, timeout=STOP_TIMEOUT):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"asgard {self.role} did not exit within {timeout}s") from None

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM; returns the exit code (fails if it does not exit within `timeout`)."""
        self.signal(signal.SIGTERM)
        return self.wait_exit(timeout)

    def kill_hard(self, grace=5.0):
        """Finalizer: SIGTERM, then SIGKILL after `grace` seconds."""
        if not self.running():
            return
        try:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        except ProcessLookupError:
            pass

    # -- client commands

    def cli(self, *args, timeout=CLI_TIMEOUT, cwd=None):
        """Runs `asgard ROLE ARGS...` (a client, without the test tag) in the work dir."""
        env = dict(os.environ)
        env.pop("ASGARD_TEST_TAG", None)
        return subprocess.run([asgard_bin(), self.role, *args], cwd=cwd or self.workdir,
                              env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=timeout)

    def _json(self, *args):
        r = self.cli(*args, "--json")
        assert r.returncode == 0, f"asgard {self.role} {' '.join(args)} failed: {r.stderr}"
        return json.loads(r.stdout)

    def status(self):
        """`status --json` as a dict; tasks listed by name in .tasks()."""
        return self._json("status")

    def tasks(self):
        return {t["name"]: t for t in self.status().get("tasks", [])}

    def show(self, name):
        return self._json("show", name)

    def wait_task(self, name, predicate, what, timeout=20.0):
        """Polls `show NAME --json` until predicate(detail) holds; returns the detail."""
        last = {}

        def check():
            last["d"] = self.show(name)
            return last["d"] if predicate(last["d"]) else None
        try:
            return wait_until(check, timeout, f"{name}: {what}", interval=0.1)
        except AssertionError as e:
            raise AssertionError(f"{e}\nlast show: {json.dumps(last.get('d'), indent=1)}"
                                 f"\ndaemon log:\n{self.log()}") from None

    def wait_running(self, name, timeout=20.0):
        """Waits until the app is `running` (up start_secs); returns its pid."""
        d = self.wait_task(name, lambda d: d["status"]["state"] == "running"
                           and d["status"]["pid"] > 0, "state running", timeout)
        return d["status"]["pid"]


class Harness:
    """The `asgard` fixture: creates daemons and cleans up after them, even on failure."""

    def __init__(self, tmp_path):
        self.tmp_path = Path(tmp_path)
        self.daemons = []
        self.open_dirs = []

    def open_dir(self, prefix="asgard-test-", mode=0o711):
        """A temp dir other uids can traverse (pytest's tmp_path is 0700): for the agents'
        task homes (agent.task_home) and for files tasks of other uids write. Removed at
        cleanup."""
        import tempfile
        path = Path(tempfile.mkdtemp(prefix=prefix))
        os.chmod(path, mode)
        self.open_dirs.append(path)
        return path

    def daemon(self, role, name=None, **config):
        """A daemon in tmp_path/<name or role>; writes its config when keywords are given."""
        workdir = self.tmp_path / (name or role)
        workdir.mkdir(parents=True, exist_ok=True)
        d = Daemon(workdir, role, f"asgard-test-{uuid.uuid4()}",
                   label=f"{role}{len(self.daemons) + 1}")
        self.daemons.append(d)
        if config:
            d.write_config(**config)
        return d

    def leftovers(self):
        tags = {d.tag for d in self.daemons}
        out = []
        for pid in _pids():
            if pid == os.getpid():
                continue
            env = environ_of(pid)
            if env.get("ASGARD_TEST_TAG") in tags:
                out.append((pid, cmdline_of(pid), env.get("ASGARD_RUN_ID")))
        return out

    def run_ids(self):
        """Run ids seen in the daemons' logs (archives name every finished run)."""
        ids = set()
        for d in self.daemons:
            for word in d.log().split():
                if word.startswith("uuid="):
                    ids.add(word[len("uuid="):])
        return ids

    def cleanup(self):
        """Stops every daemon; then kills (and reports) any process they left behind."""
        errors = []
        for d in self.daemons:
            try:
                d.kill_hard()
            except Exception as e:  # keep cleaning up
                errors.append(f"stopping asgard {d.role}: {e!r}")
        # Processes killed by a stopping daemon may need a moment to disappear.
        deadline = time.monotonic() + 3.0
        left = self.leftovers()
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = self.leftovers()
        ids = self.run_ids()
        marked = [pid for pid in _pids()
                  if pid != os.getpid() and environ_of(pid).get("ASGARD_RUN_ID") in ids]
        survivors = sorted(set(p for p, _, _ in left) | set(marked))
        if survivors:
            described = [(p, cmdline_of(p), environ_of(p).get("ASGARD_RUN_ID"))
                         for p in survivors]
            for pid in survivors:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            errors.append(f"processes survived their daemon: {described}")
        import shutil
        for path in self.open_dirs:
            shutil.rmtree(path, ignore_errors=True)
        return errors


def dump(d):
    """Debug text for assertion messages."""
    out = err = ""
    try:
        out, err = d.output()
    except OSError:
        pass
    return f"\n--- daemon stdout:\n{out}\n--- daemon stderr:\n{err}\n--- log:\n{d.log()}"


# The interpreter of the python scripts that tests use as programs.
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
