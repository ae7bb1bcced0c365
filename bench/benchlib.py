"""Shared helpers of the Asgard benchmarks (Python standard library only).

Every bench builds its C helpers into a temp dir, starts the daemons it compares in their own
process groups with a per-run marker in their environment (BENCH_RUN_ID=<uuid>, inherited by
every child they start), and in `finally` stops them gracefully, then SIGKILLs their groups and
any process still carrying the marker, so that nothing is left behind even on failure. The
bench process is also a child subreaper, so orphans come back to it and are reaped.
"""

import contextlib
import ctypes
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH_DIR)
C_DIR = os.path.join(BENCH_DIR, "c")
RUN_ID = uuid.uuid4().hex
MARKER = "BENCH_RUN_ID=" + RUN_ID
CLK_TCK = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def asgard_binary():
    """$ASGARD_BIN, else build/asgard of this checkout."""
    for path in (os.environ.get("ASGARD_BIN"), os.path.join(REPO, "build", "asgard")):
        if path and os.access(path, os.X_OK):
            return os.path.abspath(path)
    sys.exit("asgard binary not found: set ASGARD_BIN=/path/to/asgard or build into build/")


def need(program, package):
    path = shutil.which(program) or shutil.which(program, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if not path:
        sys.exit(f"{program} not found: apt-get install -y {package}")
    return path


def machine_note():
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} CPU ({cpu}), {mem_gb:.0f} GiB, Linux {platform.release()}, "
            f"{time.strftime('%Y-%m-%d %H:%M %Z')}")


def version_of(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


# ---------------------------------------------------------------- statistics

def pct(values, p):
    """Percentile by nearest rank (p in 0..100) of a non-empty list."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def summary_ms(values_ns):
    ms = [v / 1e6 for v in values_ns]
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "min": min(ms), "p50": statistics.median(ms), "p90": pct(ms, 90),
            "p99": pct(ms, 99), "max": max(ms), "mean": statistics.fmean(ms)}


def fmt_summary(s):
    if not s.get("n"):
        return "n=0"
    return ("n={n} min={min:.3f} p50={p50:.3f} p90={p90:.3f} p99={p99:.3f} max={max:.3f} "
            "mean={mean:.3f} ms").format(**s)


# ---------------------------------------------------------------- /proc readings

def proc_stat_cpu(pid):
    """(utime + stime) of pid itself, in seconds (children not included)."""
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_cpu_ns(pid):
    """On-CPU time of pid's live threads in ns (sum of /proc/PID/task/*/schedstat), precise
    where /proc/PID/stat counts clock ticks."""
    total = 0
    with contextlib.suppress(OSError):
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
    return total


def proc_mem(pid):
    """RSS, peak RSS (HWM), PSS and private memory of pid, in KiB; threads."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, val = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"):
                out[key] = int(val.split()[0])
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key, _, val = line.partition(":")
                if key in ("Pss", "Private_Clean", "Private_Dirty"):
                    out[key] = int(val.split()[0])
    return out


def fd_count(pid):
    with contextlib.suppress(OSError):
        return len(os.listdir(f"/proc/{pid}/fd"))
    return -1


def children_of(pid):
    """Direct children of pid (from /proc/PID/task/*/children)."""
    kids = []
    with contextlib.suppress(OSError):
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids.extend(int(x) for x in f.read().split())
    return kids


def marked_pids():
    """Every live process whose environment carries this run's marker."""
    found = []
    me = os.getpid()
    needle = MARKER.encode()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                env = f.read()
        except OSError:
            continue
        if needle in env.split(b"\0"):
            found.append(int(name))
    return found


# ---------------------------------------------------------------- process control

def become_subreaper():
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_all():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def raise_nofile(limit=65536):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(max(soft, limit), hard)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


class Daemon:
    """A daemon started in its own session with the run marker in its environment."""

    def __init__(self, name, argv, cwd, stdout=None, env=None):
        self.name = name
        full_env = dict(os.environ)
        full_env.update(env or {})
        full_env["BENCH_RUN_ID"] = RUN_ID
        self.log_path = os.path.join(cwd, f"{name}.console")
        self._console = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, cwd=cwd, env=full_env, stdin=subprocess.DEVNULL,
                                     stdout=stdout if stdout is not None else self._console,
                                     stderr=self._console, start_new_session=True)
        self.pid = self.proc.pid
        self.stopped = False

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=20.0):
        """SIGTERM, wait up to timeout, then SIGKILL the group. Returns seconds taken."""
        t0 = time.monotonic()
        if self.stopped:
            return 0.0
        self.stopped = True
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{self.name}: still running {timeout}s after SIGTERM, killing it")
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        self._console.close()
        return time.monotonic() - t0

    def console(self):
        with contextlib.suppress(OSError):
            with open(self.log_path, errors="replace") as f:
                return f.read()
        return ""


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


class Bench(contextlib.ExitStack):
    """Context of one bench run: temp dir, helpers, daemons, guaranteed cleanup."""

    def __init__(self, name, keep=False):
        super().__init__()
        self.name = name
        self.keep = keep
        self.daemons = []
        self.tmp = None
        self.cleanups = []

    def __enter__(self):
        super().__enter__()
        become_subreaper()
        # SIGTERM/SIGHUP to the bench run the same cleanup as Ctrl-C.
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _interrupt)
        self.tmp = tempfile.mkdtemp(prefix=f"asgard-bench-{self.name}-")
        self.callback(self._cleanup)
        return self

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def start(self, name, argv, cwd=None, **kw):
        d = Daemon(name, argv, cwd or self.tmp, **kw)
        self.daemons.append(d)
        return d

    def on_cleanup(self, fn):
        self.cleanups.append(fn)

    def _cleanup(self):
        for d in reversed(self.daemons):
            with contextlib.suppress(Exception):
                d.stop(timeout=15)
        for fn in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                fn()
        # Anything that escaped (a daemon killed before it could stop its children).
        for _ in range(3):
            left = marked_pids()
            if not left:
                break
            log(f"cleanup: killing {len(left)} leftover process(es)")
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)
            reap_all()
        reap_all()
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            log(f"kept {self.tmp}")

    # ---- helpers built from bench/c

    def build_helpers(self, cxx=False):
        out = self.path("bin")
        os.makedirs(out, exist_ok=True)
        cc = need("gcc", "gcc")
        stamp = os.path.join(out, "stamp")
        r = subprocess.run([cc, "-O2", "-static", "-o", stamp, os.path.join(C_DIR, "stamp.c")],
                           capture_output=True)
        if r.returncode != 0:  # no static libc: a dynamic one still works
            subprocess.run([cc, "-O2", "-o", stamp, os.path.join(C_DIR, "stamp.c")], check=True)
        helpers = {"stamp": stamp}
        for name in ("spawn_serial", "mini_supervisor"):
            helpers[name] = os.path.join(out, name)
            subprocess.run([cc, "-O2", "-o", helpers[name], os.path.join(C_DIR, name + ".c")],
                           check=True)
        if cxx:
            gxx = need("g++", "g++")
            flags = subprocess.run(
                ["pkg-config", "--cflags", "--libs", "grpc++", "protobuf", "yaml-cpp", "spdlog"],
                capture_output=True, text=True, check=True).stdout.split()
            subprocess.run([gxx, "-O2", "-std=c++20", "-o", os.path.join(out, "linkonly"),
                            os.path.join(C_DIR, "linkonly.cc"), *flags], check=True)
            subprocess.run([gxx, "-O2", "-std=c++20", "-o", os.path.join(out, "empty"),
                            os.path.join(C_DIR, "empty.cc")], check=True)
            helpers["linkonly"] = os.path.join(out, "linkonly")
            helpers["empty"] = os.path.join(out, "empty")
        return helpers


def read_stamps(path):
    """[(ns, pid, tag)] from a stamp file (missing file = none)."""
    out = []
    with contextlib.suppress(FileNotFoundError):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2:
                    out.append((int(parts[0]), int(parts[1]), parts[2] if len(parts) > 2 else "-"))
    return out


def wait_for(pred, timeout, interval=0.001, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def wait_line(path, needle, timeout, daemon=None):
    def found():
        if daemon is not None and not daemon.alive():
            raise RuntimeError(f"{daemon.name} exited early: {daemon.console()[-2000:]}")
        with contextlib.suppress(OSError):
            with open(path, errors="replace") as f:
                return needle in f.read()
        return False
    return wait_for(found, timeout, 0.002, f"'{needle}' in {path}")


def asgard_yaml(runtime_dir, extra=""):
    return (f"runtime_dir: {runtime_dir}\n"
            "component:\n  log:\n    level: info\n    console: false\n" + extra)


def cgroup2_mount():
    """Where cgroup2 is mounted, or None."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            if right.split()[:1] == ["cgroup2"]:
                return left.split()[4]
    return None


def without_cgroups(argv):
    """argv run where cgroup2 is read-only (a private mount namespace; same pid, since unshare
    and sh exec): Asgard then uses no cgroup, as in a container without a delegated one."""
    mount = cgroup2_mount()
    if not mount:
        return argv
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
            'mount -o remount,bind,ro "$0" && exec "$@"', mount, *argv]


SPAWN_PATHS = {
    "runs start inside their own cgroup": "cgroup, clone3 CLONE_INTO_CGROUP",
    "runs join their own cgroup after the clone": "cgroup, clone + cgroup.procs write",
    "runs start without a cgroup": "no cgroup",
}


def spawn_path(log_file):
    """Which way the daemon started its runs, from the line it logs at the first spawn."""
    try:
        with open(log_file, errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return "unknown (no log)"
    found = [(text.rfind(k), v) for k, v in SPAWN_PATHS.items() if k in text]
    return max(found)[1] if found else "unknown (no spawn logged)"


def supervisord_conf(tmp, programs, minfds=1024):
    """A self-contained supervisord.conf: own socket, pidfile, logfile in tmp."""
    lines = [
        "[unix_http_server]", f"file={tmp}/supervisor.sock", "",
        "[supervisord]", f"logfile={tmp}/supervisord.log", f"pidfile={tmp}/supervisord.pid",
        f"childlogdir={tmp}", "nodaemon=true", "loglevel=info", f"minfds={minfds}",
        "minprocs=200", "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface", "",
        "[supervisorctl]", f"serverurl=unix://{tmp}/supervisor.sock", "",
    ]
    for name, body in programs:
        lines.append(f"[program:{name}]")
        lines.extend(f"{k}={v}" for k, v in body.items())
        lines.append("")
    return "\n".join(lines)


def print_table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
