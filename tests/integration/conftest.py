"""Shared fixtures of the binary-level tests (see asgard_harness.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from asgard_harness import Harness, asgard_bin  # noqa: E402


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
