"""`asgard cron`: jobs on cron specs, one-shot timings, `cron next`, with real processes."""

import datetime
import json
import math
import signal
import time

from asgard_harness import alive, assert_no_zombies, dump, gone, wait_until


def rfc3339(ts):
    """Unix seconds -> RFC 3339 in the local zone with its offset."""
    return datetime.datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def job(name, program, args="", spec="* * * * * *", **extra):
    return {"name": name, "program": program, "args": args, "spec": spec, **extra}


# --------------------------------------------------------------------------------------------
# jobs


def test_every_second_job(asgard, tmp_path):
    out = tmp_path / "tick.out"
    d = asgard.daemon("cron", jobs=[job("tick", "date", "+%s", stdout=str(out))])
    d.start()
    detail = d.wait_task("tick", lambda x: len(x["archives"]) >= 4, "four runs", timeout=20)
    archives = detail["archives"]
    assert all(a["status"] == 0 and a["signal"] == "" for a in archives), archives
    assert len({a["uuid"] for a in archives}) == len(archives)
    begins = sorted(int(a["begin_time"]) for a in archives)
    assert len(set(begins)) == len(begins), f"one run per second, not more: {begins}"
    # A fire every second: the latest four runs began within about four seconds.
    assert begins[-1] - begins[-4] <= 4, begins
    st = detail["status"]
    assert st["kind"] == "job" and st["spec"] == "* * * * * *" and st["state"] == "scheduled"
    assert st["has_last_exit"] and st["last_exit_status"] == 0
    assert int(st["next_run_at"]) > int(st["last_run_at"]) > 0
    # Each run's output reached the file: one line per run, the second it ran.
    lines = wait_until(lambda: out.exists() and len(out.read_text().split()) >= 4 and
                       out.read_text().split(), 10, "the runs' output")
    assert all(l.isdigit() for l in lines)

    r = d.cli("status")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "job total: 1"
    assert "timing total" not in r.stdout
    row = next(l for l in r.stdout.splitlines() if " tick " in l)
    assert "* * * * * *" in row and "status 0" in row, row
    r = d.cli("show", "tick")
    assert r.returncode == 0 and r.stdout.startswith("job info:\njob name: tick\n"), r.stdout
    assert "job spec: * * * * * *" in r.stdout
    assert_no_zombies(d.pid)


def test_concurrency_forbid_records_skips(asgard):
    d = asgard.daemon("cron", jobs=[job("slow", "sleep", "3", concurrency="forbid")])
    d.start()
    detail = d.wait_task("slow", lambda x: x["status"]["skipped"] >= 2, "two skipped fires",
                         timeout=20)
    descs = [e["desc"] for e in detail["exceptions"]]
    assert any(e.startswith("skipped") for e in descs), descs
    assert "skipped" in d.log()
    # Never two runs at once.
    for _ in range(10):
        st = d.show("slow")["status"]
        assert st["running"] <= 1, st
        assert len([p for p in asgard.leftovers() if p[1][:1] == ["sleep"]]) <= 1
        time.sleep(0.2)


def test_concurrency_allow_overlaps(asgard):
    d = asgard.daemon("cron", jobs=[job("overlap", "sleep", "3", concurrency="allow")])
    d.start()
    detail = d.wait_task("overlap", lambda x: x["status"]["running"] >= 2,
                         "two runs at once", timeout=20)
    assert detail["status"]["skipped"] == 0


def test_concurrency_allow_stays_at_max_concurrent(asgard):
    # A long run fired every second: without a cap the runs pile up without end.
    d = asgard.daemon("cron", jobs=[job("pile", "sleep", "60", concurrency="allow",
                                        max_concurrent=2)])
    d.start()
    detail = d.wait_task("pile", lambda x: x["status"]["skipped"] >= 2, "fires skipped at the cap",
                         timeout=20)
    assert detail["status"]["running"] == 2, detail["status"]
    descs = [e["desc"] for e in detail["exceptions"]]
    assert ("skipped: 2 runs are still running, as many as max_concurrent allows "
            "(concurrency: allow)") in descs, descs
    for _ in range(10):
        assert d.show("pile")["status"]["running"] <= 2
        assert len([p for p in asgard.leftovers() if p[1][:1] == ["sleep"]]) <= 2
        time.sleep(0.2)


def test_job_timeout_stops_the_run(asgard):
    d = asgard.daemon("cron", jobs=[job("stuck", "sleep", "100", timeout=1, stop_timeout=2)])
    d.start()
    pid = d.wait_task("stuck", lambda x: x["status"]["pid"] > 0, "a running run")["status"]["pid"]
    detail = d.wait_task("stuck", lambda x: any(a["pid"] == pid for a in x["archives"]),
                         "the timed-out run's archive", timeout=20)
    a = next(a for a in detail["archives"] if a["pid"] == pid)
    assert a["status"] == -1 and a["signal"] == "terminated", a
    took = int(a["end_time"]) - int(a["begin_time"])
    assert 1 <= took <= 4, f"stopped {took}s after it began (timeout: 1)"
    wait_until(lambda: gone(pid), 5, "the stopped run to be reaped")
    assert "timed out after 1s" in d.log()
    assert_no_zombies(d.pid)


def test_shutdown_stops_running_job(asgard):
    d = asgard.daemon("cron", jobs=[job("long", "sleep", "100", stop_timeout=5)])
    d.start()
    pid = d.wait_task("long", lambda x: x["status"]["pid"] > 0, "a running run")["status"]["pid"]
    assert alive(pid)
    t0 = time.monotonic()
    assert d.stop() == 0, dump(d)
    assert time.monotonic() - t0 < 5, "sleep dies on TERM: no need to wait stop_timeout"
    assert gone(pid)
    line = next(l for l in d.log().splitlines() if f"pid={pid} " in l and "archive job" in l)
    assert "status=-2" in line, line


# --------------------------------------------------------------------------------------------
# timings


def test_timing_runs_once_even_across_restarts(asgard, tmp_path):
    marker = tmp_path / "fired.txt"
    at = math.ceil(time.time()) + 2
    timing = {"name": "once", "program": "sh", "args": f"-c 'date +%s >> {marker}'",
              "time": rfc3339(at)}
    d = asgard.daemon("cron", timings=[timing])
    d.start()
    pending = d.show("once")["status"]
    assert int(pending["time"]) == at
    if time.time() < at - 0.5:  # (a slow start may already be past it: then it ran at once)
        assert pending["state"] == "pending", pending
        assert not marker.exists()
    detail = d.wait_task("once", lambda x: x["status"]["state"] == "done", "state done",
                         timeout=20)
    assert len(detail["archives"]) == 1 and detail["archives"][0]["status"] == 0
    assert int(detail["archives"][0]["begin_time"]) >= at, "not before its time"
    assert len(marker.read_text().split()) == 1
    assert int(marker.read_text()) >= at
    fired = d.runtime("timings.fired").read_text()
    assert f"{at} once" in fired, fired
    r = d.cli("status")
    assert "timing total: 1" in r.stdout, r.stdout
    assert d.stop() == 0

    # Restarted within grace: the persisted fired state keeps it from running again.
    d.start()
    st = d.show("once")["status"]
    assert st["state"] == "done", st
    time.sleep(1.5)
    assert d.show("once")["archives"] == []
    assert len(marker.read_text().split()) == 1, "the timing ran a second time"


def test_timing_whose_fired_record_is_damaged_does_not_run_again(asgard, tmp_path):
    marker = tmp_path / "ran.txt"
    at = math.ceil(time.time()) + 2
    d = asgard.daemon("cron", timings=[
        {"name": "once", "program": "sh", "args": f"-c 'echo ran >> {marker}'",
         "time": rfc3339(at), "grace": 3600}])
    d.start()
    d.wait_task("once", lambda x: x["status"]["state"] == "done", "state done", timeout=20)
    assert d.stop() == 0
    # The record of its run is lost: still within its grace of an hour.
    d.runtime("timings.fired").write_bytes(b"\x00\x17 not a fired line\n")
    for start in range(2):  # and a later start does not forget it
        d.start()
        detail = d.show("once")
        assert detail["status"]["state"] == "missed", detail["status"]
        descs = [e["desc"] for e in detail["exceptions"]]
        assert any(e.startswith("not run: its fired state is unknown") for e in descs), descs
        time.sleep(1.5)
        assert marker.read_text() == "ran\n", "a timing must run at most once"
        assert d.stop() == 0
    assert "moved aside to" in d.log()
    assert d.runtime("timings.fired.corrupt").exists()


def test_timing_past_grace_is_missed(asgard, tmp_path):
    marker = tmp_path / "late.txt"
    d = asgard.daemon("cron", timings=[
        {"name": "late", "program": "touch", "args": str(marker),
         "time": rfc3339(int(time.time()) - 120), "grace": 10},
        {"name": "recent", "program": "touch", "args": str(marker) + ".recent",
         "time": rfc3339(int(time.time()) - 5), "grace": 60}])
    d.start()
    detail = d.show("late")
    assert detail["status"]["state"] == "missed", detail
    assert any(e["desc"].startswith("missed") for e in detail["exceptions"]), detail
    # Within grace: runs at once.
    d.wait_task("recent", lambda x: x["status"]["state"] == "done", "the recent one to run")
    assert (tmp_path / "late.txt.recent").exists()
    time.sleep(1)
    detail = d.show("late")
    assert detail["status"]["state"] == "missed" and detail["archives"] == []
    assert not marker.exists(), "a missed timing never runs"
    assert "exception timing late: missed" in d.log()


def test_timing_changed_during_shutdown_is_not_consumed(asgard, tmp_path):
    marker = tmp_path / "second.txt"
    ready = tmp_path / "ready"
    first = {"name": "t", "program": "sh",
             "args": f"-c \"trap '' TERM; touch {ready}; while :; do sleep 0.1; done\"",
             "time": rfc3339(int(time.time()) - 1), "stop_timeout": 2}
    d = asgard.daemon("cron", timings=[first])
    d.start()
    wait_until(ready.exists, 10, "the first definition to run")
    # Changed to another time within grace: it will run as soon as the old run has stopped...
    second = {"name": "t", "program": "sh", "args": f"-c 'echo ran >> {marker}'",
              "time": rfc3339(int(time.time()) - 20)}
    d.write_config(timings=[second])
    d.reload()
    wait_until(lambda: "definition changed" in d.log(), 10, "the reload")
    # ...unless the daemon stops meanwhile: then it must not be marked fired and killed.
    d.signal(signal.SIGTERM)
    assert d.wait_exit(20) == 0, dump(d)
    at = int(datetime.datetime.fromisoformat(second["time"]).timestamp())
    assert f"{at} t" not in d.runtime("timings.fired").read_text(), \
        "the new timing was marked fired during the shutdown"
    # It runs at the next start, still within grace.
    d.start()
    d.wait_task("t", lambda x: x["status"]["state"] == "done", "the timing to run")
    assert marker.read_text() == "ran\n"


# --------------------------------------------------------------------------------------------
# specs


def test_cron_next_exact_times(asgard):
    d = asgard.daemon("cron")
    r = d.cli("next", "0 9 * * MON-FRI", "--tz", "Asia/Shanghai",
              "--from", "2026-11-25T00:00:00+08:00", "-n", "3")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("2026-11-25T09:00:00+08:00\n"
                        "2026-11-26T09:00:00+08:00\n"
                        "2026-11-27T09:00:00+08:00\n")
    # Friday 27th -> Monday 30th; a 6-field spec and CRON_TZ too.
    r = d.cli("next", "CRON_TZ=UTC 30 0 9 * * MON-FRI", "--from", "2026-11-27T10:00:00Z",
              "-n", "2")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "2026-11-30T09:00:30+00:00\n2026-12-01T09:00:30+00:00\n"


def test_cron_next_bad_spec_exits_2(asgard):
    d = asgard.daemon("cron")
    r = d.cli("next", "61 * * * *")
    assert r.returncode == 2
    assert "field 1 (minute)" in r.stderr and "61" in r.stderr, r.stderr
    assert r.stdout == ""
    r = d.cli("next", "0 0 30 2 *")
    assert r.returncode == 2 and r.stderr.strip(), "a spec that never fires is an error"
    r = d.cli("next", "* * * *")
    assert r.returncode == 2 and r.stderr.strip()


def test_bad_spec_in_config_exits_2(asgard):
    d = asgard.daemon("cron", jobs=[job("ok", "true", spec="* * * * *"),
                                    job("bad", "true", spec="61 * * * *")])
    d.spawn()
    assert d.wait_exit(20) == 2
    _, err = d.output()
    assert "cron[1].spec" in err and "field 1 (minute)" in err, err
    assert not d.socket.exists()


def test_cron_status_json_and_unknown(asgard):
    d = asgard.daemon("cron", jobs=[job("j", "true", spec="0 0 1 1 *")],
                      timings=[{"name": "t", "program": "true", "time": "2099-01-01T00:00:00Z"}])
    d.start()
    tasks = d.status()["tasks"]
    assert [(t["kind"], t["name"]) for t in tasks] == [("job", "j"), ("timing", "t")]
    assert tasks[0]["state"] == "scheduled" and int(tasks[0]["next_run_at"]) > time.time()
    assert tasks[1]["state"] == "pending" and int(tasks[1]["time"]) == 4070908800
    r = d.cli("status")
    lines = r.stdout.splitlines()
    assert lines[0] == "job total: 1" and "timing total: 1" in lines, r.stdout
    r = d.cli("show", "t")
    assert r.returncode == 0 and r.stdout.startswith("timing info:\ntiming name: t\n")
    r = d.cli("show", "nope")
    assert r.returncode == 1 and "nope" in r.stderr
    json.loads(d.cli("show", "j", "--json").stdout)


def test_concurrency_replace_stops_the_old_run(asgard):
    d = asgard.daemon("cron", jobs=[job("fresh", "sleep", "100", concurrency="replace")])
    d.start()
    detail = d.wait_task("fresh", lambda x: len(x["archives"]) >= 2, "two replaced runs",
                         timeout=20)
    for a in detail["archives"]:
        assert a["status"] == -2 and a["signal"] == "kill", a
        assert gone(a["pid"]) or not alive(a["pid"])
    st = detail["status"]
    assert st["skipped"] == 0 and st["running"] == 1 and st["pid"] > 0
    assert not detail["exceptions"], "a replaced run is not a failure"


def test_timing_retries_failed_run(asgard, tmp_path):
    count = tmp_path / "attempts"
    d = asgard.daemon("cron", timings=[{
        "name": "flaky", "program": "sh", "args": f"-c 'echo x >> {count}; exit 4'",
        "time": rfc3339(int(time.time()) - 1), "retries": 2, "retry_delay": 1}])
    d.start()
    detail = d.wait_task("flaky", lambda x: x["status"]["state"] == "failed", "state failed",
                         timeout=20)
    assert [a["status"] for a in detail["archives"]] == [4, 4, 4]
    begins = sorted(int(a["begin_time"]) for a in detail["archives"])
    assert begins[2] - begins[0] >= 2, f"retry_delay 1 between runs: {begins}"
    assert len(count.read_text().split()) == 3
    time.sleep(1.5)
    assert len(count.read_text().split()) == 3, "no more than retries reruns"


def test_cron_reload(asgard, tmp_path):
    out = tmp_path / "b.out"
    a = job("a", "sleep", "100")
    b = job("b", "sh", f"-c 'echo b >> {out}'")
    d = asgard.daemon("cron", jobs=[a])
    d.start()
    pid = d.wait_task("a", lambda x: x["status"]["pid"] > 0, "a running")["status"]["pid"]
    d.write_config(jobs=[b])
    d.reload()
    wait_until(lambda: list(d.tasks()) == ["b"], 15, "the reloaded list of jobs")
    wait_until(lambda: gone(pid), 15, "the removed job's run to be stopped")
    wait_until(lambda: out.exists() and len(out.read_text().split()) >= 2, 15,
               "the added job to run")
    assert d.cli("show", "a").returncode == 1
    # A bad spec on reload is rejected; the running jobs go on.
    d.write_config(jobs=[job("b", "true", spec="* * 32 * *")])
    d.reload()
    wait_until(lambda: "reload failed" in d.log(), 15, "the reload error")
    n = len(out.read_text().split())
    wait_until(lambda: len(out.read_text().split()) > n, 10, "job b to keep running")
    assert d.tasks()["b"]["spec"] == "* * * * * *"
