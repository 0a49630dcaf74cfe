#!/usr/bin/env python3
"""Runs every GoogleTest binary in a directory and prints the totals.

Usage: run-unittests.py BUILD/unittests
Exits 1 if any test fails or no test ran.
"""

import os
import re
import subprocess
import sys


def main() -> int:
    root = sys.argv[1]
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
        ran = re.search(r"\[==========\] (\d+) tests? from .* ran", proc.stdout)
        ok = re.search(r"\[  PASSED  \] (\d+) tests?", proc.stdout)
        bad = re.search(r"\[  FAILED  \] (\d+) tests?, listed below", proc.stdout)
        n_ok = int(ok.group(1)) if ok else 0
        n_bad = int(bad.group(1)) if bad else 0
        if proc.returncode != 0 and n_bad == 0:
            n_bad = 1  # crashed or aborted: count the binary as one failure
        print(f"{os.path.basename(binary)}: {n_ok} passed, {n_bad} failed"
              + ("" if ran else " (no test summary)"))
        passed += n_ok
        failed += n_bad
    print(f"unit tests: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
