#!/usr/bin/env python3
"""Runs lowbit-bench --check over a matrix of formats and zero modes.

Usage: check_matrix.py LOWBIT_BENCH --isa=ISA [--shape=M,N,K,G] [--formats=a,b]
       [--zeros=none,int] [--act=f32] [--strategy=dequant] [--schedule=S]
       [--compile-only] [--cxx=COMMAND] [--emulator=COMMAND]
       [--target=cpu] [--bench-arg=FLAG ...]

--target=cuda (with --bench-arg=--emulate-gpu) checks GPU kernels: the
result is the probe's JSON object, the last line of the output.

Every valid combination must pass (exit 0); combinations the tool rejects as
invalid (exit 2) must be exactly the documented ones (integer zero points on
non-integer formats, asym-fp on unsigned formats, zero points on mxfp4 and
nvfp4; for the int8-dot strategy also the formats it cannot multiply as
integers, INT8_DOT_UNSUPPORTED; for the lut strategy every format but the
integers and ternary; for the bf16-dot strategy the formats with values bf16
does not hold, BF16_DOT_UNSUPPORTED, and nvfp4's groups of 16 on avx512). Prints one line per case and a final
`N passed, M failed` line.
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
# Formats whose values are not small integers after a power-of-two scaling
# (or take a table of more than 16 entries), and nvfp4, whose groups of 16
# are shorter than the activation blocks of 32 (docs/cpu-kernels.md).
# e3m0's values times 4 span -64..64: offset to unsigned bytes they overflow
# 127, while asym-fp's positive and negative parts fit.
INT8_DOT_UNSUPPORTED = {"e3m2", "e2m3", "e4m3", "e5m2", "e2m2", "e3m4",
                        "nf4", "nvfp4"}
# Codebooks whose values bf16 does not hold exactly.
BF16_DOT_UNSUPPORTED = {"nf4"}


def expected_invalid(fmt: str, zero: str, strategy: str, isa: str) -> bool:
    if strategy == "bf16-dot" and (fmt in BF16_DOT_UNSUPPORTED or
                                   (fmt == "nvfp4" and isa != "scalar")):
        return True
    if strategy == "int8-dot" and (fmt in INT8_DOT_UNSUPPORTED or
                                   (fmt == "e3m0" and zero != "asym-fp")):
        return True
    integer = fmt.startswith("int") or fmt.startswith("uint")
    if strategy == "lut" and not (integer or fmt == "ternary"):
        return True
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
    parser.add_argument("--strategy", default="dequant")
    parser.add_argument("--schedule", default="")
    parser.add_argument("--compile-only", action="store_true")
    parser.add_argument("--cxx", default="")
    parser.add_argument("--emulator", default="")
    parser.add_argument("--target", default="cpu")
    parser.add_argument("--bench-arg", action="append", default=[],
                        help="one more lowbit-bench flag (repeatable)")
    args = parser.parse_args()
    m, n, k, g = args.shape.split(",")
    passed = failed = 0
    for fmt in args.formats.split(","):
        for zero in args.zeros.split(","):
            cmd = [args.bench, f"--target={args.target}", f"--isa={args.isa}", f"--m={m}",
                   f"--n={n}", f"--k={k}", f"--weight={fmt}", f"--zero={zero}",
                   f"--act={args.act}", f"--strategy={args.strategy}",
                   "--check", "--repeats=0", "--json"]
            if args.schedule:
                cmd.append(f"--cpu-schedule={args.schedule}")
            if args.compile_only:
                cmd.append("--compile-only")
            if args.cxx:
                cmd.append(f"--cxx={args.cxx}")
            if args.emulator:
                cmd.append(f"--emulator={args.emulator}")
            cmd += args.bench_arg
            if fmt not in ("mxfp4", "nvfp4"):
                cmd.append(f"--group={g}")
            proc = subprocess.run(cmd, capture_output=True, text=True)
            where = (f"isa={args.isa}" if args.target == "cpu" else
                     f"target={args.target}")
            name = (f"{fmt} zero={zero} act={args.act} {where} "
                    f"strategy={args.strategy} shape={args.shape}")
            invalid = expected_invalid(fmt, zero, args.strategy, args.isa)
            if proc.returncode == 2 and invalid:
                print(f"rejected as expected: {name}: {proc.stderr.strip()}")
                continue
            ok = proc.returncode == 0 and not invalid
            if ok and args.compile_only:
                detail = proc.stdout.strip()
            elif ok and args.target != "cpu":
                result = json.loads(proc.stdout.strip().splitlines()[-1])
                ok = result.get("check") == "pass" and result.get("unwritten") == 0
                detail = f"rel error {result.get('rel_error'):.3g}"
            elif ok:
                result = json.loads(proc.stdout)
                ok = result.get("check") == "pass"
                detail = f"rel error {result.get('rel_frobenius_error'):.3g}"
                if "rel_frobenius_error_quantized_act" in result:
                    detail += (" (against quantized activations "
                               f"{result['rel_frobenius_error_quantized_act']:.3g})")
            else:
                detail = f"exit {proc.returncode}: {proc.stderr.strip()} {proc.stdout.strip()}"
            print(("PASS " if ok else "FAIL ") + name + ": " + detail)
            passed += ok
            failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
