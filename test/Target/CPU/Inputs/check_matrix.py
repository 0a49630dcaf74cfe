#!/usr/bin/env python3
"""Runs lowbit-bench --check over a matrix of formats and zero modes.

Usage: check_matrix.py LOWBIT_BENCH --isa=ISA [--shape=M,N,K,G] [--formats=a,b]
       [--zeros=none,int] [--act=f32]

Every valid combination must pass (exit 0); combinations the tool rejects as
invalid (exit 2) must be exactly the documented ones (integer zero points on
non-integer formats, asym-fp on unsigned formats, zero points on mxfp4 and
nvfp4). Prints one line per case and a final `N passed, M failed` line.
"""

import argparse
import json
import subprocess
import sys

ALL_FORMATS = (
    [f"int{b}" for b in range(1, 9)] + [f"uint{b}" for b in range(1, 9)] +
    ["e2m1", "e3m2", "e2m3", "e4m3", "e5m2", "e3m0", "e2m2", "e1m2", "e3m4",
     "e2m0", "nf4", "ternary", "mxfp4", "nvfp4"])
ALL_ZEROS = ["none", "int", "float", "asym-fp"]


def expected_invalid(fmt: str, zero: str) -> bool:
    if fmt in ("mxfp4", "nvfp4"):
        return zero != "none"
    integer = fmt.startswith("int") or fmt.startswith("uint")
    if zero == "int":
        return not integer
    if zero == "asym-fp":
        return fmt.startswith("uint") or fmt == "int1"
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("bench")
    parser.add_argument("--isa", required=True)
    parser.add_argument("--shape", default="3,37,320,64")
    parser.add_argument("--formats", default=",".join(ALL_FORMATS))
    parser.add_argument("--zeros", default=",".join(ALL_ZEROS))
    parser.add_argument("--act", default="f32")
    parser.add_argument("--compile-only", action="store_true")
    args = parser.parse_args()
    m, n, k, g = args.shape.split(",")
    passed = failed = 0
    for fmt in args.formats.split(","):
        for zero in args.zeros.split(","):
            cmd = [args.bench, "--target=cpu", f"--isa={args.isa}", f"--m={m}",
                   f"--n={n}", f"--k={k}", f"--weight={fmt}", f"--zero={zero}",
                   f"--act={args.act}", "--check", "--repeats=0", "--json"]
            if args.compile_only:
                cmd.append("--compile-only")
            if fmt not in ("mxfp4", "nvfp4"):
                cmd.append(f"--group={g}")
            proc = subprocess.run(cmd, capture_output=True, text=True)
            name = f"{fmt} zero={zero} act={args.act} isa={args.isa} shape={args.shape}"
            if proc.returncode == 2 and expected_invalid(fmt, zero):
                print(f"rejected as expected: {name}: {proc.stderr.strip()}")
                continue
            ok = proc.returncode == 0 and not expected_invalid(fmt, zero)
            if ok and args.compile_only:
                detail = proc.stdout.strip()
            elif ok:
                result = json.loads(proc.stdout)
                ok = result.get("check") == "pass"
                detail = f"rel error {result.get('rel_frobenius_error'):.3g}"
            else:
                detail = f"exit {proc.returncode}: {proc.stderr.strip()} {proc.stdout.strip()}"
            print(("PASS " if ok else "FAIL ") + name + ": " + detail)
            passed += ok
            failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
