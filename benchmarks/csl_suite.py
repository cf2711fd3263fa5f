"""Run the CSL test-suite fixtures against refsite's CSL processor.

Usage: .venv/bin/python benchmarks/csl_suite.py [--verbose NAME] [--failures] [PATTERN ...]

Fixtures come from ``<repo>/../shared/csl-test-suite/humans``.  Prints a table per category
and the closing line ``N passed, M failed``.
"""
from __future__ import annotations

import argparse
import difflib
import os
import sys
import time
import traceback

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from hooks.refsite.csl.suite import fixture_paths, read_fixture, run_fixture  # noqa: E402

FIXTURES = os.path.join(REPO, "..", "shared", "csl-test-suite", "humans")


def run_one(path):
    fx = read_fixture(path)
    try:
        expected, actual = run_fixture(fx)
    except Exception:  # a crash counts as a failure
        return fx, "", traceback.format_exc(), False
    return fx, expected, actual, expected == actual


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--verbose", metavar="NAME", help="show a diff for one fixture")
    ap.add_argument("--failures", action="store_true", help="list failing fixture names")
    ap.add_argument("patterns", nargs="*")
    args = ap.parse_args(argv)
    paths = fixture_paths(FIXTURES)
    if args.verbose:
        path = os.path.join(FIXTURES, os.path.basename(args.verbose).removesuffix(".txt") + ".txt")
        if not os.path.exists(path):
            print(f"no fixture {args.verbose!r} in {FIXTURES}")
            return 2
        fx, expected, actual, ok = run_one(path)
        print("PASS" if ok else "FAIL", fx.name)
        if not ok:
            sys.stdout.writelines(difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), "expected", "actual"))
            print()
        return 0
    if args.patterns:
        paths = [p for p in paths if any(s.lower() in os.path.basename(p).lower() for s in args.patterns)]
    stats, failed = {}, []
    t0 = time.perf_counter()
    for p in paths:
        fx, _, _, ok = run_one(p)
        s = stats.setdefault(fx.category, [0, 0])
        s[0 if ok else 1] += 1
        if not ok:
            failed.append(fx.name)
    elapsed = time.perf_counter() - t0
    print(f"{'CATEGORY':<16}{'PASS':>6}{'FAIL':>6}")
    for cat in sorted(stats):
        print(f"{cat:<16}{stats[cat][0]:>6}{stats[cat][1]:>6}")
    if args.failures:
        print("\n".join(failed))
    npass = sum(s[0] for s in stats.values())
    print(f"({elapsed:.1f} s)")
    print(f"{npass} passed, {len(failed)} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
