"""`asgard guard` with real processes: restarts, backoff, stops, containment, rotation, reload."""

import json
import os
import signal
import socket
import subprocess
import time

import pytest

from asgard_harness import (PYTHON, alive, assert_no_zombies, cgroup2_parent, cmdline_of, dump,
                            environ_of, gone, procs_with_env, wait_until,
                            without_writable_cgroups)


def sleeper(name, seconds=1000, **extra):
    return {"name": name, "program": "sleep", "args": str(seconds), **extra}


# --------------------------------------------------------------------------------------------
# restarts


def test_restart_after_kill_9(asgard):
    d = asgard.daemon("guard", apps=[sleeper("victim", start_secs=1)])
    d.start()
    pid1 = d.wait_running("victim")
    assert cmdline_of(pid1) == ["sleep", "1000"]
    env1 = environ_of(pid1)
    assert env1.get("ASGARD_TEST_TAG") == d.tag, "a run inherits the daemon's environment"
    run1 = env1.get("ASGARD_RUN_ID")
    assert run1, "every run carries ASGARD_RUN_ID"
    assert os.getpgid(pid1) == pid1 and os.getsid(pid1) == pid1, "a run has its own session"

    os.kill(pid1, signal.SIGKILL)
    detail = d.wait_task(
        "victim",
        lambda x: x["status"]["pid"] not in (0, pid1) and x["status"]["restarts"] == 1
        and x["archives"], "restarted with a new pid")
    pid2 = detail["status"]["pid"]
    assert alive(pid2) and cmdline_of(pid2) == ["sleep", "1000"]
    assert gone(pid1), "the killed process was reaped"
    run2 = environ_of(pid2).get("ASGARD_RUN_ID")
    assert run2 and run2 != run1, "each run has its own run id"

    archive = detail["archives"][0]
    assert archive["uuid"] == run1
    assert archive["pid"] == pid1
    assert archive["status"] == -1
    assert archive["signal"] == "killed"
    assert int(archive["end_time"]) >= int(archive["begin_time"]) > 0
    assert detail["status"]["has_last_exit"] and detail["status"]["last_exit_status"] == -1

    wait_until(lambda: f"archive app victim: uuid={run1} pid={pid1}" in d.log(), 10,
               "the archive line in the daemon log")
    line = next(l for l in d.log().splitlines() if f"uuid={run1}" in l)
    assert "status=-1" in line and "signal=killed" in line, line

    # It had been up start_secs: a crash, restarted at once, and it keeps running.
    assert d.wait_running("victim") == pid2
    assert_no_zombies(d.pid)


def test_backoff_then_fatal(asgard, tmp_path):
    out = tmp_path / "crasher.out"
    d = asgard.daemon("guard", apps=[{
        "name": "crasher", "program": "sh", "args": "-c 'echo boom; exit 3'",
        "stdout": str(out), "max_restarts": 2, "backoff_max": 1, "start_secs": 1}])
    d.start()
    detail = d.wait_task("crasher", lambda x: x["status"]["state"] == "fatal", "state fatal")
    st = detail["status"]
    assert st["pid"] == 0
    # First start + max_restarts restarts, each a failed start.
    assert st["restarts"] == 2
    assert len(detail["archives"]) == 3, detail["archives"]
    assert all(a["status"] == 3 for a in detail["archives"])
    descs = [e["desc"] for e in detail["exceptions"]]
    assert "restart reach max limited" in descs, descs

    log = d.log()
    assert "crasher: starting -> backoff" in log, log
    assert "-> fatal" in log
    assert "exception app crasher: restart reach max limited" in log
    wait_until(lambda: out.exists() and out.read_text().count("boom") == 3, 10,
               "three runs' output in the stdout file")

    # Fatal is final: no more starts.
    time.sleep(1.5)
    again = d.show("crasher")
    assert again["status"]["state"] == "fatal"
    assert len(again["archives"]) == 3
    assert out.read_text().count("boom") == 3
    assert_no_zombies(d.pid)


# --------------------------------------------------------------------------------------------
# stopping


def test_shutdown_escalates_to_sigkill(asgard, tmp_path):
    out = tmp_path / "stubborn.out"
    d = asgard.daemon("guard", apps=[
        {"name": "stubborn", "program": "sh",
         "args": "-c \"trap '' TERM; echo ready; while :; do sleep 0.1; done\"",
         "stdout": str(out), "stop_timeout": 1, "start_secs": 1},
        sleeper("polite", stop_timeout=10)])
    d.start()
    pid = d.wait_running("stubborn")
    polite = d.wait_running("polite")
    wait_until(lambda: out.exists() and "ready" in out.read_text(), 10, "the TERM trap in place")
    run_id = environ_of(pid)["ASGARD_RUN_ID"]

    t0 = time.monotonic()
    d.signal(signal.SIGTERM)
    rc = d.wait_exit(20)
    elapsed = time.monotonic() - t0
    assert rc == 0, dump(d)
    # TERM is ignored, so the daemon waited stop_timeout (1 s) and then killed the group.
    assert elapsed >= 0.9, f"exited after {elapsed:.2f}s: the stubborn app was not waited for"
    assert elapsed < 8, f"exited after {elapsed:.2f}s: SIGKILL did not follow stop_timeout"
    assert gone(pid) and gone(polite)
    assert not procs_with_env("ASGARD_RUN_ID", run_id)
    log = d.log()
    assert "stubborn: still running 1s after signal" in log, log
    assert f"archive app stubborn: uuid={run_id}" in log
    line = next(l for l in log.splitlines() if f"uuid={run_id}" in l)
    assert "status=-2" in line and "signal=kill" in line, line


def test_stop_signal_is_sent_first(asgard, tmp_path):
    marker = tmp_path / "got.txt"
    script = tmp_path / "usr1.py"
    script.write_text(
        "import signal, sys, time\n"
        "def bye(sig, frame):\n"
        f"    open({str(marker)!r}, 'w').write('usr1')\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGUSR1, bye)\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"open({str(marker) + '.ready'!r}, 'w').close()\n"
        "while True: time.sleep(1)\n")
    d = asgard.daemon("guard", apps=[{
        "name": "usr1", "program": PYTHON, "args": str(script), "stop_signal": "USR1",
        "stop_timeout": 10}])
    d.start()
    pid = d.wait_running("usr1")
    wait_until(lambda: os.path.exists(str(marker) + ".ready"), 10, "the handler in place")
    t0 = time.monotonic()
    assert d.stop() == 0
    assert time.monotonic() - t0 < 8, "the app exits on its stop_signal: no need to wait 10 s"
    assert marker.read_text() == "usr1"
    assert gone(pid)


def test_sigint_stops_gracefully(asgard):
    d = asgard.daemon("guard", apps=[sleeper("s")])
    d.start()
    pid = d.wait_running("s")
    d.signal(signal.SIGINT)
    assert d.wait_exit() == 0, dump(d)
    assert gone(pid)
    assert not d.socket.exists() and not d.addr_file.exists()
    assert "status=-2 signal=kill" in d.log()


def test_second_stop_signal_kills_at_once(asgard, tmp_path):
    out = tmp_path / "stubborn.out"
    d = asgard.daemon("guard", apps=[{
        "name": "stubborn", "program": "sh",
        "args": "-c \"trap '' TERM; echo ready; while :; do sleep 0.1; done\"",
        "stdout": str(out), "stop_timeout": 60}])
    d.start()
    pid = d.wait_running("stubborn")
    wait_until(lambda: out.exists() and "ready" in out.read_text(), 10, "the TERM trap in place")
    d.signal(signal.SIGTERM)
    wait_until(lambda: "stopping every task" in d.log(), 10, "the first signal to be handled")
    t0 = time.monotonic()
    d.signal(signal.SIGTERM)
    d.wait_exit(15)
    assert time.monotonic() - t0 < 10, "a second signal does not wait for stop_timeout"
    wait_until(lambda: not alive(pid), 5, "the app to be killed")


DOUBLE_FORK = """\
import os, sys, time
pidfile = sys.argv[1]
child = os.fork()
if child == 0:
    os.setsid()
    if os.fork() == 0:
        with open(pidfile + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.rename(pidfile + ".tmp", pidfile)
        while True:
            time.sleep(1000)
    os._exit(0)
os.waitpid(child, 0)
while True:
    time.sleep(1000)
"""


@pytest.mark.parametrize("cgroups", ["cgroup", "read-only cgroup2"])
@pytest.mark.parametrize("how", ["reload", "shutdown"])
def test_no_escaped_descendants(asgard, tmp_path, how, cgroups):
    script = tmp_path / "double_fork.py"
    script.write_text(DOUBLE_FORK)
    pidfile = tmp_path / "grandchild.pid"
    escaper = {"name": "escaper", "program": PYTHON, "args": f"{script} {pidfile}",
               "stop_timeout": 2}
    setsider = {"name": "setsider", "program": "sh",
                "args": "-c 'setsid sleep 1001 & sleep 1002; true'", "stop_timeout": 2}
    bystander = sleeper("bystander")
    d = asgard.daemon("guard", apps=[escaper, setsider, bystander])
    parent = cgroup2_parent()
    assert parent, "cgroup2 is mounted where the tests run"
    if cgroups != "cgroup":
        d.command_prefix = without_writable_cgroups()
    d.start()
    esc_pid = d.wait_running("escaper")
    own = parent / f"asgard-guard-{d.pid}"
    if cgroups == "cgroup":
        # Each run is born in its own cgroup (clone3 CLONE_INTO_CGROUP), none migrates.
        assert "runs start inside their own cgroup" in d.log(), dump(d)
        run_cgroup = own / environ_of(esc_pid)["ASGARD_RUN_ID"]
        assert esc_pid in [int(p) for p in (run_cgroup / "cgroup.procs").read_text().split()]
    else:
        assert "runs start without a cgroup" in d.log(), dump(d)
        assert not own.exists()
    set_pid = d.wait_running("setsider")
    by_pid = d.wait_running("bystander")
    grandchild = int(wait_until(lambda: pidfile.exists() and pidfile.read_text(), 10,
                                "the grandchild's pid file"))
    esc_run = environ_of(esc_pid)["ASGARD_RUN_ID"]
    set_run = environ_of(set_pid)["ASGARD_RUN_ID"]
    by_run = environ_of(by_pid)["ASGARD_RUN_ID"]
    assert environ_of(grandchild).get("ASGARD_RUN_ID") == esc_run
    assert os.getsid(grandchild) != os.getsid(esc_pid), "the grandchild left the session"
    set_procs = wait_until(lambda: len(procs_with_env("ASGARD_RUN_ID", set_run)) >= 2 and
                           procs_with_env("ASGARD_RUN_ID", set_run), 10,
                           "setsider's setsid child")
    assert any(os.getsid(p) != os.getsid(set_pid) for p in set_procs)
    doomed = {esc_pid, grandchild, *set_procs}
    by_procs = procs_with_env("ASGARD_RUN_ID", by_run)

    if how == "reload":
        d.write_config(apps=[bystander])
        d.reload()
        wait_until(lambda: list(d.tasks()) == ["bystander"], 15, "the reload to remove apps")
        wait_until(lambda: all(gone(p) for p in doomed), 15,
                   "every process of the removed apps to be killed and reaped")
        assert not procs_with_env("ASGARD_RUN_ID", esc_run)
        assert not procs_with_env("ASGARD_RUN_ID", set_run)
        assert_no_zombies(d.pid)
        # The other app was not touched.
        st = d.tasks()["bystander"]
        assert st["pid"] == by_pid and st["restarts"] == 0 and st["state"] == "running"
        assert all(alive(p) for p in by_procs)
        assert procs_with_env("ASGARD_RUN_ID", by_run) == by_procs
        log = d.log()
        assert f"archive app escaper: uuid={esc_run}" in log
        assert "archive app bystander" not in log
    else:
        assert d.stop() == 0, dump(d)
        # The daemon reaped what it killed before exiting (it is their subreaper); allow a
        # moment in case some were left to init.
        wait_until(lambda: not any(alive(p) for p in doomed | set(by_procs)), 5,
                   "every process of every app to be gone")
        for run in (esc_run, set_run, by_run):
            assert not procs_with_env("ASGARD_RUN_ID", run)


def test_restart_after_a_crash_kills_what_the_dead_daemon_left(asgard, tmp_path):
    script = tmp_path / "double_fork.py"
    script.write_text(DOUBLE_FORK)
    pidfile = tmp_path / "grandchild.pid"
    d = asgard.daemon("guard", apps=[{"name": "escaper", "program": PYTHON,
                                      "args": f"{script} {pidfile}"}])
    d.start()
    parent = cgroup2_parent()
    old_cgroup = parent / f"asgard-guard-{d.pid}" if parent else None
    if not old_cgroup or not old_cgroup.is_dir():
        pytest.skip("no writable cgroup v2: a crashed daemon's leftovers cannot be found")
    main = d.wait_running("escaper")
    grandchild = int(wait_until(lambda: pidfile.exists() and pidfile.read_text(), 10,
                                "the grandchild's pid file"))
    pidfile.unlink()

    # The daemon crashes: its direct child dies with it, the escaped grandchild does not.
    d.proc.kill()
    d.proc.wait(10)
    wait_until(lambda: not alive(main), 5, "the main process to die with the daemon")
    assert alive(grandchild)
    assert d.socket.exists(), "a crash leaves the socket behind"

    # The next start (same directory, stale socket) kills what the dead daemon left.
    d.start()
    wait_until(lambda: not alive(grandchild), 10, "the dead daemon's leftover to be killed")
    new_main = d.wait_running("escaper")
    new_grandchild = int(wait_until(lambda: pidfile.exists() and pidfile.read_text(), 10,
                                    "the new grandchild"))
    assert alive(new_grandchild) and new_main != main
    new_cgroup = parent / f"asgard-guard-{d.pid}"
    assert new_cgroup.is_dir()
    assert d.stop() == 0
    # The dead daemon's cgroups are removed as well as the stopped daemon's own.
    wait_until(lambda: not old_cgroup.exists(), 5, f"{old_cgroup} to be removed")
    assert not new_cgroup.exists()


def test_no_zombies_after_many_restarts(asgard):
    # A quick-exiting app that forks a short-lived child: plenty of exits for the daemon to reap.
    d = asgard.daemon("guard", apps=[
        {"name": "flapper", "program": "sh", "args": "-c '(sleep 0.2 &) ; sleep 0.3; exit 1'",
         "start_secs": 0, "max_restarts": 100},
        sleeper("steady")])
    d.start()
    d.wait_task("flapper", lambda x: x["status"]["restarts"] >= 5, "five restarts")
    assert_no_zombies(d.pid)
    assert d.wait_running("steady")


# --------------------------------------------------------------------------------------------
# output files


def test_env_dir_and_output_files(asgard, tmp_path):
    work = tmp_path / "work dir"
    work.mkdir()
    out = tmp_path / "logs" / "app.out"  # parents are created
    err = tmp_path / "logs" / "app.err"
    d = asgard.daemon("guard", apps=[{
        "name": "envy", "dir": str(work), "program": "sh",
        "args": "-c 'echo \"greeting=$GREETING\"; pwd; echo oops >&2; exec sleep 1000'",
        "env": {"GREETING": "hello world"}, "stdout": str(out), "stderr": str(err)}])
    d.start()
    pid = d.wait_running("envy")
    wait_until(lambda: out.exists() and out.read_text().count("\n") >= 2, 10, "the output")
    assert out.read_text() == f"greeting=hello world\n{work}\n"
    wait_until(lambda: err.exists() and err.read_text() == "oops\n", 10, "the error output")
    env = environ_of(pid)
    assert env["GREETING"] == "hello world"
    assert os.readlink(f"/proc/{pid}/cwd") == str(work)
    # stdin is /dev/null and no descriptor of the daemon leaks into the app.
    fds = {int(f): os.readlink(f"/proc/{pid}/fd/{f}") for f in os.listdir(f"/proc/{pid}/fd")}
    assert fds[0] == "/dev/null"
    assert set(fds) == {0, 1, 2}, fds


WRITER = """\
import sys, time
for i in range({n}):
    sys.stdout.write("line %06d %s\\n" % (i, "x" * 88))
    sys.stdout.flush()
    if i % 2000 == 0:
        time.sleep(0.005)
while True:
    time.sleep(1000)
"""


def test_log_rotation_while_writing(asgard, tmp_path):
    n = 48000  # 100 bytes a line: about 4.6 MB through 1 MB files (the smallest max_bytes)
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(n=n))
    out = tmp_path / "logs" / "out"
    d = asgard.daemon("guard", apps=[{
        "name": "writer", "program": PYTHON, "args": str(script), "stdout": str(out),
        "max_bytes": "1MB", "backups": 2}])
    d.start()
    last = "line %06d %s\n" % (n - 1, "x" * 88)
    wait_until(lambda: out.exists() and out.read_text().endswith(last), 30,
               "the writer's last line")
    files = [out.with_name("out.2"), out.with_name("out.1"), out]
    for f in files:
        assert f.exists(), f"{f.name} missing; present: {sorted(os.listdir(out.parent))}"
        assert f.stat().st_size <= 1 << 20, f"{f.name} has {f.stat().st_size} bytes"
    assert not out.with_name("out.3").exists(), "backups: 2 keeps two rotated files"
    assert sorted(os.listdir(out.parent)) == ["out", "out.1", "out.2"]
    kept = "".join(f.read_text() for f in files)
    expected = "".join("line %06d %s\n" % (i, "x" * 88) for i in range(n))
    assert len(kept) > 2 << 20, "the rotated files hold data"
    assert expected.endswith(kept), "the kept output is the continuous tail of what was written"
    assert d.show("writer")["status"]["pid"] > 0


def answers_status_quickly(d, bound=3.0):
    """`status` answers within `bound` seconds: the daemon's loop is not blocked."""
    t0 = time.monotonic()
    r = d.cli("status", "--json", timeout=bound + 5)
    took = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert took < bound, f"status took {took:.1f}s"
    return {t["name"]: t for t in json.loads(r.stdout)["tasks"]}


def test_fifo_as_std_out_is_a_start_failure_not_a_hang(asgard, tmp_path):
    # A FIFO nobody reads: a blocking open() for writing would wait for a reader forever.
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    d = asgard.daemon("guard", apps=[
        {"name": "fifo", "program": "sh", "args": "-c 'echo hi; sleep 1000'",
         "stdout": str(fifo), "max_restarts": 1, "backoff_max": 1},
        sleeper("bystander")])
    d.start(timeout=10)
    tasks = answers_status_quickly(d)
    assert tasks["bystander"]["state"] in ("starting", "running"), tasks
    detail = d.wait_task("fifo", lambda x: x["status"]["state"] == "fatal", "fatal", timeout=15)
    descs = [e["desc"] for e in detail["exceptions"]]
    assert any("start fail: stdout: " in e and "is a FIFO, not a regular file" in e
               for e in descs), descs
    assert d.wait_running("bystander") > 0
    answers_status_quickly(d)


def test_std_out_swapped_for_a_fifo_after_the_start(asgard, tmp_path):
    out = tmp_path / "swap.out"
    d = asgard.daemon("guard", apps=[
        {"name": "swap", "program": "sh", "args": "-c 'echo run; sleep 1.5'", "stdout": str(out),
         "start_secs": 1, "max_restarts": 1, "backoff_max": 1}])
    d.start()
    d.wait_running("swap")
    wait_until(lambda: out.exists() and "run" in out.read_text(), 10, "the first run's output")
    out.unlink()
    os.mkfifo(out)
    # The run exits and is restarted: the restart opens the FIFO and must refuse it at once.
    detail = d.wait_task("swap", lambda x: any("is a FIFO" in e["desc"] for e in x["exceptions"]),
                         "the FIFO refused", timeout=15)
    assert detail["status"]["state"] in ("backoff", "fatal"), detail["status"]
    answers_status_quickly(d)
    assert out.is_fifo(), "the FIFO is left as it is"


def test_rotation_storm_is_refused_and_the_smallest_files_rotate_in_bounded_work(asgard,
                                                                                tmp_path):
    # max_bytes 1 with 1000 backups: every byte a rotation renaming 1000 files.
    out = tmp_path / "storm" / "out"
    storm = {"name": "storm", "program": "yes", "stdout": str(out)}
    d = asgard.daemon("guard", apps=[{**storm, "max_bytes": 1, "backups": 1000}])
    d.spawn()
    assert d.wait_exit() == 2
    assert ("app[0].max_bytes: '1' is out of range (expected 0, or a size of at least 1MB)"
            in d.output()[1]), d.output()
    d.write_config(apps=[{**storm, "max_bytes": "1MB", "backups": 1000}])
    d.spawn()
    assert d.wait_exit() == 2
    assert ("app[0].backups: '1000' is out of range (expected an integer 0-100)"
            in d.output()[1]), d.output()

    # The smallest files and the most backups, filled as fast as a program can write.
    done = tmp_path / "burst.done"
    d.write_config(apps=[
        {"name": "burst", "program": "sh",
         "args": f"-c 'head -c 120M /dev/zero; touch {done}; sleep 1000'",
         "stdout": str(out), "max_bytes": "1MB", "backups": 100}, sleeper("bystander")])
    d.start()

    def sizes():  # of the files there now (a rotation may rename one while we look)
        found = {}
        for f in out.parent.iterdir() if out.parent.exists() else []:
            try:
                found[f.name] = f.stat().st_size
            except FileNotFoundError:
                pass
        return found
    slowest = 0.0
    deadline = time.monotonic() + 60
    # Written to the pipe, then copied: the last rotation came at least 1MB before the end.
    while not done.exists() or sum(sizes().values()) < 101 << 20:
        assert time.monotonic() < deadline, sorted(sizes())
        t0 = time.monotonic()
        answers_status_quickly(d, bound=2.0)
        slowest = max(slowest, time.monotonic() - t0)
    kept = sizes()
    assert len(kept) == 101 and "out.101" not in kept, sorted(kept)
    assert all(size <= 1 << 20 for size in kept.values()), kept
    assert d.wait_running("bystander") > 0
    print(f"slowest status during the burst: {slowest:.3f}s")


def test_a_full_log_disk_drops_output_not_the_task(asgard, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(logs)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill: {mounted.stderr.strip()}")
    script = tmp_path / "chatty.py"
    script.write_text("import sys, time\n"
                      "while True:\n"
                      "    sys.stdout.write('o' * 4095 + '\\n'); sys.stdout.flush()\n"
                      "    sys.stderr.write('e' * 4095 + '\\n'); sys.stderr.flush()\n"
                      "    time.sleep(0.001)\n")
    d = asgard.daemon("guard", apps=[{
        "name": "chatty", "program": PYTHON, "args": str(script),
        "stdout": str(logs / "out"), "stderr": str(logs / "err")}])
    try:
        d.start()
        pid = d.wait_running("chatty")
        d.wait_task("chatty", lambda x: x["exceptions"], "the disk to fill")
        time.sleep(6)  # thousands of failed writes
        detail = d.show("chatty")
        st = detail["status"]
        assert st["state"] == "running" and st["pid"] == pid, "the task keeps running"
        drops = [e["desc"] for e in detail["exceptions"]]
        assert len(drops) == 1, drops
        assert drops[0].startswith("output dropped: write ") and "No space left" in drops[0]
        assert int(st["output_dropped_bytes"]) > 1 << 20, st
        lines = [l for l in d.log().splitlines() if "No space left on device" in l]
        # One warning per file, and the exception: not one line per failed write.
        assert len(lines) <= 3, "\n".join(lines[:10])
        r = d.cli("status")
        assert "output dropped: chatty (" in r.stdout, r.stdout
        assert "output dropped: " in d.cli("show", "chatty").stdout
    finally:
        d.kill_hard()
        subprocess.run(["umount", "-l", str(logs)], capture_output=True)


# --------------------------------------------------------------------------------------------
# reload


def test_sighup_reload_applies_only_the_difference(asgard):
    keep, change, remove = sleeper("keep"), sleeper("change"), sleeper("remove")
    d = asgard.daemon("guard", apps=[keep, change, remove])
    d.start()
    pids = {name: d.wait_running(name) for name in ("keep", "change", "remove")}

    added = sleeper("added", 1003)
    d.write_config(apps=[keep, sleeper("change", 1001), added])
    d.reload()
    wait_until(lambda: list(d.tasks()) == ["keep", "change", "added"], 15,
               "the reloaded list of apps")
    new_change = d.wait_task("change", lambda x: x["status"]["state"] == "running"
                             and x["status"]["pid"] not in (0, pids["change"]),
                             "restarted with its new args")["status"]["pid"]
    assert cmdline_of(new_change) == ["sleep", "1001"]
    added_pid = d.wait_running("added")
    assert cmdline_of(added_pid) == ["sleep", "1003"]
    wait_until(lambda: gone(pids["remove"]) and gone(pids["change"]), 15,
               "the removed and the replaced process to be gone")
    t = d.tasks()
    assert t["keep"]["pid"] == pids["keep"] and t["keep"]["restarts"] == 0
    assert alive(pids["keep"])
    r = d.cli("show", "remove")
    assert r.returncode == 1

    # A broken file is rejected as a whole; everything keeps running as it was.
    d.write_config("app:\n  - name: keep\n    program: sleep\n    args: '1000'\n"
                   "    auto_restart: maybe\n")
    d.reload()
    wait_until(lambda: "reload failed" in d.log(), 15, "the reload error in the log")
    assert "auto_restart" in next(l for l in d.log().splitlines() if "reload failed" in l)
    assert d.running()
    t = d.tasks()
    assert list(t) == ["keep", "change", "added"]
    assert [t[n]["pid"] for n in ("keep", "change", "added")] == \
        [pids["keep"], new_change, added_pid]
    assert all(alive(p) for p in (pids["keep"], new_change, added_pid))
    assert_no_zombies(d.pid)


def test_shutdown_during_a_reload_restart_starts_nothing(asgard, tmp_path):
    out = tmp_path / "slow.out"
    stubborn = {"name": "slow", "program": "sh",
                "args": "-c \"trap '' TERM; echo ready; while :; do sleep 0.1; done\"",
                "stdout": str(out), "stop_timeout": 2}
    d = asgard.daemon("guard", apps=[stubborn])
    d.start()
    pid = d.wait_running("slow")
    wait_until(lambda: out.exists() and "ready" in out.read_text(), 10, "the TERM trap in place")
    # A changed definition: the old process is stopping (it ignores TERM) when the stop comes.
    d.write_config(apps=[dict(stubborn, args=stubborn["args"] + " again")])
    d.reload()
    wait_until(lambda: "definition changed" in d.log(), 10, "the reload")
    d.signal(signal.SIGTERM)
    assert d.wait_exit(20) == 0, dump(d)
    assert gone(pid)
    log = d.log()
    after = log[log.index("stopping every task"):]
    assert "-> starting" not in after, "a new process was started during the shutdown:\n" + log
    assert out.read_text().count("ready") == 1


# --------------------------------------------------------------------------------------------
# status and show


def test_status_and_show(asgard, tmp_path):
    d = asgard.daemon("guard", apps=[
        sleeper("alpha", dir=str(tmp_path)),
        {"name": "beta", "program": "sh", "args": "-c 'sleep 1000; true'"}])
    d.start()
    alpha = d.wait_running("alpha")
    beta = d.wait_running("beta")
    # Arguments are split with shell quoting and no shell of our own.
    assert cmdline_of(beta) == ["sh", "-c", "sleep 1000; true"]

    sock = str(d.socket)
    assert d.addr_file.read_text().strip() == f"unix:{sock}"
    out, _ = d.output()
    assert f"listening on unix:{sock}" in out

    r = d.cli("status")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "app total: 2"
    assert lines[1].split()[:4] == ["ID", "NAME", "STATE", "PID"]
    rows = {l.split()[1]: l.split() for l in lines[2:] if l.strip()}
    assert rows["alpha"][:4] == ["0", "alpha", "running", str(alpha)]
    assert rows["beta"][:4] == ["1", "beta", "running", str(beta)]
    assert r.stdout.rstrip().endswith("sh -c 'sleep 1000; true'")

    j = d.status()
    assert [(t["id"], t["name"], t["kind"], t["state"], t["pid"]) for t in j["tasks"]] == \
        [(0, "alpha", "app", "running", alpha), (1, "beta", "app", "running", beta)]
    assert j["tasks"][0]["dir"] == str(tmp_path)

    r = d.cli("show", "alpha")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "app info:"
    for expected in ("app name: alpha", "app cmd: sleep 1000", f"app dir: {tmp_path}",
                     "app auto_restart: true", "state: running (desired: run)",
                     f"pid: {alpha}", "restarts: 0"):
        assert expected in lines, (expected, r.stdout)

    detail = json.loads(d.cli("show", "beta", "--json").stdout)
    assert detail["status"]["name"] == "beta"
    assert detail["status"]["pid"] == beta
    assert detail["status"]["args"] == "-c 'sleep 1000; true'"
    assert detail["archives"] == [] and detail["exceptions"] == []

    r = d.cli("show", "nosuch")
    assert r.returncode == 1
    assert "nosuch" in r.stderr and r.stdout == ""
    r = d.cli("show", "nosuch", "--json")
    assert r.returncode == 1

    # -s reaches the daemon from anywhere.
    r = d.cli("status", "--json", "-s", sock, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert [t["name"] for t in json.loads(r.stdout)["tasks"]] == ["alpha", "beta"]


def test_custom_runtime_dir(asgard):
    d = asgard.daemon("guard", apps=[sleeper("one")], runtime_dir="state/rt")
    d.start()
    assert d.addr_file == d.workdir / "state/rt/guard.addr"
    assert (d.workdir / "state/rt/asgard_guard").exists()
    assert oct((d.workdir / "state/rt").stat().st_mode & 0o777) == "0o700"
    assert not (d.workdir / "runtime").exists()
    # The client finds the socket through conf/app.yaml.
    assert d.wait_running("one") > 0
    r = d.cli("status", "-c", "conf")
    assert r.returncode == 0 and r.stdout.startswith("app total: 1\n"), r


# --------------------------------------------------------------------------------------------
# startup errors and sockets


def test_bad_config_exits_2_naming_the_key(asgard):
    d = asgard.daemon("guard")
    d.write_config("app:\n  - name: a\n    program: sleep\n    args: '1000'\n"
                   "    auto_restart: maybe\n")
    d.spawn()
    assert d.wait_exit(20) == 2
    _, err = d.output()
    assert "app[0].auto_restart" in err and "maybe" in err, err
    assert not d.socket.exists()
    assert not procs_with_env("ASGARD_TEST_TAG", d.tag), "nothing starts on a bad config"


def test_duplicate_names_exit_2(asgard):
    d = asgard.daemon("guard", apps=[sleeper("twin"), sleeper("twin", 1001)])
    d.spawn()
    assert d.wait_exit(20) == 2
    _, err = d.output()
    assert "app[1].name" in err and "twin" in err, err


def test_stale_socket_is_replaced(asgard):
    d = asgard.daemon("guard", apps=[sleeper("s")])
    d.socket.parent.mkdir(parents=True)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(d.socket))
    s.close()  # the file stays; nobody listens
    assert d.socket.exists()
    r = d.cli("status")
    assert r.returncode == 1 and "not running" in r.stderr, r
    d.start()
    assert d.wait_running("s") > 0


def test_second_daemon_on_a_live_socket_exits_1(asgard):
    first = asgard.daemon("guard", apps=[sleeper("only")])
    first.start()
    pid = first.wait_running("only")
    # The same directory and configuration, started again.
    second = asgard.daemon("guard", name="guard")
    assert second.workdir == first.workdir
    second.spawn()
    assert second.wait_exit(20) == 1
    _, err = second.output()
    assert str(first.socket) in err, err
    assert not procs_with_env("ASGARD_TEST_TAG", second.tag), "the second one started nothing"
    # The first one is untouched and still answers.
    assert first.running() and first.socket.exists() and first.addr_file.exists()
    t = first.tasks()
    assert t["only"]["pid"] == pid and t["only"]["restarts"] == 0
    assert first.stop() == 0
    assert not first.socket.exists() and not first.addr_file.exists()


def test_cpu_sample_is_recent_not_lifetime(asgard, tmp_path):
    flag = tmp_path / "idle"
    script = tmp_path / "burn.py"
    script.write_text(
        "import os, time\n"
        f"while not os.path.exists({str(flag)!r}):\n"
        "    pass\n"
        "while True:\n"
        "    time.sleep(1)\n")
    d = asgard.daemon("guard", apps=[{"name": "burn", "program": PYTHON, "args": str(script),
                                      "is_monitor": True}],
                      extra="system:\n  moniter: 1")
    d.start()
    d.wait_task("burn", lambda x: x["status"]["cpu"] > 20, "a busy CPU sample", timeout=20)
    st = d.show("burn")["status"]
    assert st["memory_mb"] > 1 and st["threads"] >= 1, st
    flag.touch()
    # A lifetime average would stay well above this for longer than the deadline.
    d.wait_task("burn", lambda x: x["status"]["cpu"] < 5, "an idle CPU sample", timeout=20)


def test_unknown_key_is_a_warning(asgard):
    d = asgard.daemon("guard")
    d.write_config("app:\n  - name: a\n    program: sleep\n    args: '1000'\n"
                   "    restart: true\n    moniter_x: 1\n")
    d.start()
    _, err = d.output()
    assert "unknown key 'app[0].restart'" in err, err
    assert d.wait_running("a") > 0


def test_output_file_keeps_rotating_across_restarts(asgard, tmp_path):
    out = tmp_path / "burst.out"
    # Each run writes 700 KB and exits after start_secs; max_bytes 1MB (the smallest).
    d = asgard.daemon("guard", apps=[{
        "name": "burst", "program": "sh",
        "args": "-c 'head -c 716799 /dev/zero | tr \"\\\\0\" x; echo; sleep 0.3'",
        "stdout": str(out), "start_secs": 0, "max_bytes": "1MB", "backups": 3}])
    d.start()
    d.wait_task("burst", lambda x: x["status"]["restarts"] >= 4, "four restarts")
    files = [out] + [out.with_name(f"burst.out.{i}") for i in (1, 2, 3)]
    wait_until(lambda: all(f.exists() for f in files), 10, "three rotated files")
    for f in files:
        assert f.stat().st_size <= 1 << 20, (f.name, f.stat().st_size)
    assert not out.with_name("burst.out.4").exists()
