"""The command line itself: help, version, the `Asgard` alias, exit codes without a daemon."""

import os
import socket
import subprocess
from pathlib import Path

import pytest

from asgard_harness import asgard_bin


def run(args, cwd, argv0=None, timeout=30):
    return subprocess.run([argv0 or asgard_bin(), *args], cwd=cwd, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=timeout)


def test_help_lists_the_roles(tmp_path):
    r = run(["--help"], tmp_path)
    assert r.returncode == 0, r.stderr
    for word in ("guard", "cron", "agent", "master", "web", "all"):
        assert f"\n  {word} " in r.stdout, r.stdout
    r = run(["guard", "--help"], tmp_path)
    assert r.returncode == 0 and "status" in r.stdout and "show" in r.stdout
    r = run(["cron", "--help"], tmp_path)
    assert r.returncode == 0 and "next" in r.stdout


def test_version(tmp_path):
    r = run(["--version"], tmp_path)
    assert r.returncode == 0
    words = r.stdout.split()
    assert words[0] == "asgard" and words[1][0].isdigit(), r.stdout


def test_asgard_alias(tmp_path):
    alias = Path(asgard_bin()).with_name("Asgard")
    if not alias.exists():  # a bare binary: check that the program itself works by that name
        alias = tmp_path / "Asgard"
        alias.symlink_to(asgard_bin())
    assert os.path.realpath(alias) == os.path.realpath(asgard_bin())
    r = run(["--version"], tmp_path, argv0=str(alias))
    assert r.returncode == 0 and r.stdout == run(["--version"], tmp_path).stdout
    r = run(["cron", "next", "0 0 1 1 *", "--from", "2026-01-01T00:00:00Z", "--tz", "UTC",
             "-n", "1"], tmp_path, argv0=str(alias))
    assert r.returncode == 0 and r.stdout == "2027-01-01T00:00:00+00:00\n", r


@pytest.mark.parametrize("role", ["master", "agent", "web"])
def test_server_roles_without_their_config_exit_2(tmp_path, role):
    r = run([role, "-c", "nonexistent"], tmp_path)
    assert r.returncode == 2, r
    assert "nonexistent/app.yaml" in r.stderr, r.stderr
    assert not (tmp_path / "runtime").exists()


@pytest.mark.parametrize("args", [[], ["nosuch"], ["guard", "--bogus"], ["cron", "next"],
                                  ["cron", "next", "* * * * *", "-n", "x"],
                                  ["guard", "show"]])
def test_usage_errors_exit_2(tmp_path, args):
    r = run(args, tmp_path)
    assert r.returncode == 2, (args, r.returncode, r.stdout, r.stderr)
    assert r.stderr.strip() or r.stdout.strip()


@pytest.mark.parametrize("role", ["guard", "cron"])
def test_missing_conf_dir_exits_2(asgard, role):
    d = asgard.daemon(role)
    d.spawn("-c", "nonexistent")
    assert d.wait_exit(20) == 2
    _, err = d.output()
    assert "nonexistent" in err, err
    assert not (d.workdir / "runtime").exists(), "nothing is created for a missing config"


@pytest.mark.parametrize("role", ["guard", "cron"])
@pytest.mark.parametrize("command", ["status", "show"])
def test_no_daemon_exits_1(tmp_path, role, command):
    args = [role, command] + (["x"] if command == "show" else [])
    r = run(args, tmp_path)
    assert r.returncode == 1
    assert f"asgard {role} is not running" in r.stderr, r.stderr
    assert r.stdout == ""
    # Same with a stale socket left behind by a crashed daemon.
    (tmp_path / "runtime").mkdir()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(tmp_path / "runtime" / f"asgard_{role}"))
    s.close()
    r = run(args, tmp_path)
    assert r.returncode == 1
    assert f"asgard {role} is not running" in r.stderr, r.stderr
