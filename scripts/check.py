#!/usr/bin/env python3
"""Runs lowbit's unit tests, lit tests and Python tests and prints their totals.

Usage: check.py --unittests BUILD/unittests --lit LIT --lit-dir BUILD/test [-- LIT_ARGS...]

Runs every GoogleTest binary (a file named *Tests) in the unit test directory,
then lit over the lit directory, then, when the build has the Python package
(BUILD/python/lowbit/_lowbit*.so), its pytest tests (python/tests) with
PYTHONPATH=BUILD/python, and ends with one line `tests: N passed, M failed`.
Exits 1 if anything failed or nothing ran.
"""

import argparse
import glob
import os
import re
import subprocess
import sys


def run_unittests(root: str) -> tuple[int, int]:
    binaries = sorted(
        os.path.join(root, name)
        for name in os.listdir(root)
        if name.endswith("Tests") and os.access(os.path.join(root, name), os.X_OK)
    )
    passed = failed = 0
    for binary in binaries:
        proc = subprocess.run([binary, "--gtest_brief=1"], capture_output=True, text=True)
        sys.stdout.write(proc.stdout)
        sys.stderr.write(proc.stderr)
        ok = re.search(r"\[  PASSED  \] (\d+) tests?", proc.stdout)
        bad = re.search(r"\[  FAILED  \] (\d+) tests?, listed below", proc.stdout)
        n_ok = int(ok.group(1)) if ok else 0
        n_bad = int(bad.group(1)) if bad else 0
        if proc.returncode != 0 and n_bad == 0:
            n_bad = 1  # Crashed or aborted: count the binary as one failure.
        print(f"{os.path.basename(binary)}: {n_ok} passed, {n_bad} failed")
        passed += n_ok
        failed += n_bad
    print(f"unit tests: {passed} passed, {failed} failed", flush=True)
    return passed, failed


def run_lit(lit: str, directory: str, extra: list[str]) -> tuple[int, int]:
    proc = subprocess.run([sys.executable, lit, "-sv", *extra, directory],
                          capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    # lit pads the keys ("Passed     : 7") when several kinds are listed.
    counts = {key.strip(): value for key, value in
              re.findall(r"^\s+(\w[\w ]*?)\s*:\s+(\d+)", proc.stdout, re.M)}
    unsupported = int(counts.get("Unsupported", 0))
    passed = int(counts.get("Passed", 0)) + int(counts.get("Expectedly Failed", 0))
    failed = sum(int(counts.get(k, 0)) for k in
                 ("Failed", "Unexpectedly Passed", "Unresolved", "Timed Out"))
    if proc.returncode != 0 and failed == 0:
        failed = 1
    print(f"lit tests: {passed} passed, {failed} failed"
          + (f" ({unsupported} unsupported here)" if unsupported else ""),
          flush=True)
    return passed, failed


def run_python_tests(package_root: str, tests: str) -> tuple[int, int]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    # No .pytest_cache in the source tree.
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p",
                           "no:cacheprovider", tests],
                          capture_output=True, text=True, env=env)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    # The summary line: "3 failed, 40 passed, 1 skipped, 1 error in 2.1s".
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    counts = {kind: int(n) for n, kind in
              re.findall(r"(\d+) (passed|failed|errors?|skipped)", summary)}
    passed = counts.get("passed", 0)
    failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
    if proc.returncode != 0 and failed == 0:
        failed = 1
    print(f"python tests: {passed} passed, {failed} failed", flush=True)
    return passed, failed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unittests", required=True)
    parser.add_argument("--lit", required=True)
    parser.add_argument("--lit-dir", required=True)
    parser.add_argument("lit_args", nargs="*")
    args = parser.parse_args()
    print("== unit tests ==", flush=True)
    unit_ok, unit_bad = run_unittests(args.unittests)
    print("== lit tests ==", flush=True)
    lit_ok, lit_bad = run_lit(args.lit, args.lit_dir, args.lit_args)
    passed, failed = unit_ok + lit_ok, unit_bad + lit_bad
    package_root = os.path.join(os.path.dirname(os.path.abspath(args.unittests)),
                                "python")
    if glob.glob(os.path.join(package_root, "lowbit", "_lowbit*.so")):
        print("== python tests ==", flush=True)
        tests = os.path.join(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))), "python", "tests")
        py_ok, py_bad = run_python_tests(package_root, tests)
        passed, failed = passed + py_ok, failed + py_bad
    else:
        print("python tests: not run: the build has no Python module "
              "(the sanitized build leaves it out; otherwise pybind11 or the "
              "Python headers were missing at configure time, and "
              "scripts/setup.sh installs pybind11)", flush=True)
    print(f"tests: {passed} passed, {failed} failed")
    return 0 if failed == 0 and unit_ok > 0 and lit_ok > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
