"""Shared fixtures of the binary-level tests (see asgard_harness.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from asgard_harness import Harness, asgard_bin  # noqa: E402
from web_harness import admin_session, local_agent, start_all  # noqa: E402


@pytest.fixture(scope="session")
def bin_path():
    return asgard_bin()


@pytest.fixture
def asgard(tmp_path):
    """Creates daemons in tmp_path; stops them and everything they started afterwards.

    A process of this test still alive after its daemon stopped fails the test (after being
    killed), whatever the test itself did.
    """
    h = Harness(tmp_path)
    yield h
    errors = h.cleanup()
    if errors:
        pytest.fail("cleanup: " + "; ".join(errors), pytrace=False)


@pytest.fixture
def node(asgard):
    """`asgard all` (web + master + agent, SQLite) on free ports."""
    return start_all(asgard)


@pytest.fixture
def site(node, tmp_path):
    """`node` with the administrator's session (initial password changed) and its agent."""
    anon, admin = admin_session(node)
    agent = local_agent(admin)
    return {"node": node, "anon": anon, "admin": admin, "agent": agent, "tmp": tmp_path}
