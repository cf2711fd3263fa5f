"""The official CSL test-suite fixtures, run against refsite's CSL processor.

Fixtures named in ``csl_suite_expected_failures.txt`` are strict xfails: one that starts to pass
fails the run, so the list can only shrink.
"""
from __future__ import annotations

import os

import pytest

from hooks.refsite.csl.suite import fixture_paths, read_fixture, run_fixture

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "shared", "csl-test-suite", "humans")
EXPECTED_FAILURES = os.path.join(HERE, "csl_suite_expected_failures.txt")


def _expected_failures() -> set[str]:
    with open(EXPECTED_FAILURES, encoding="utf-8") as fh:
        return {ln.strip() for ln in fh if ln.strip() and not ln.startswith("#")}


def _params():
    if not os.path.isdir(FIXTURES):       # reported by test_the_suite_is_there, never skipped
        return []
    xfails = _expected_failures()
    out = []
    for path in fixture_paths(FIXTURES):
        name = os.path.basename(path)[:-4]
        marks = [pytest.mark.xfail(strict=True, reason="known CSL suite failure")] if name in xfails else []
        out.append(pytest.param(path, id=name, marks=marks))
    return out


def test_the_suite_is_there():
    """The 845 official fixtures (../shared/csl-test-suite) are all run."""
    assert os.path.isdir(FIXTURES) and len(_params()) == 845


@pytest.mark.parametrize("path", _params())
def test_fixture(path):
    expected, actual = run_fixture(read_fixture(path))
    assert actual == expected
