#!/usr/bin/env python3
"""The CPU slice's speed targets, measured in one run.

Usage: bench/cpu/targets.py [--build build] [--isa ISA] [--threads 2]
                            [--repeats 20]

M = 1, N x K = 4096 x 14336, f16 scales: int4 (group 128) with f32, bf16 and
int8 activations and int2 (group 64) with int8 activations, each strategy
that applies, against the read bandwidth lowbit-bench measures in each run
and OpenBLAS f32 sgemv of the same shape timed by this script. Prints one
line per case: time, GB/s, fraction of read bandwidth, speed-up over
OpenBLAS, and the speed-up the target asks (5 times the fraction). A case
the ISA or CPU cannot run (bf16-dot needs --isa avx512 and AVX512-BF16)
prints lowbit-bench's reason instead. Without --isa each case runs on the
best ISA lowbit-bench finds on this CPU, which each line names.
"""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (bench/cpu/run.py: OpenBLAS baseline)

CASES = [  # weight, group, act, strategy
    ("int4", 128, "f32", "dequant"),
    ("int4", 128, "bf16", "dequant"),
    ("int4", 128, "bf16", "bf16-dot"),  # --isa avx512 with AVX512-BF16
    ("int4", 128, "int8", "int8-dot"),
    ("int4", 128, "int8", "lut"),
    ("int2", 64, "int8", "int8-dot"),
    ("int2", 64, "int8", "lut"),
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(run.ROOT, "build"))
    parser.add_argument("--isa", default=None,
                        help="scalar, avx2 or avx512 (default: the host's best)")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    run.ensure_openblas()
    baseline = run.build_baseline(args.build)
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads))
    blas_us = float(subprocess.run(
        [baseline, "1", "4096", "14336", str(args.repeats)], capture_output=True,
        text=True, env=env, check=True).stdout)
    print(f"OpenBLAS f32 sgemv: {blas_us:.0f} us")
    bench = os.path.join(args.build, "bin", "lowbit-bench")
    for weight, group, act, strategy in CASES:
        if strategy == "bf16-dot" and args.isa not in (None, "avx512",
                                                       "scalar"):
            print(f"{weight} g{group} --act={act} --strategy={strategy}: "
                  f"not run: needs --isa avx512 (AVX512-BF16)", flush=True)
            continue
        cmd = [bench] + ([f"--isa={args.isa}"] if args.isa else []) + [
               "--m=1", "--n=4096", "--k=14336",
               f"--weight={weight}", f"--group={group}", "--scale=f16",
               f"--act={act}", f"--strategy={strategy}",
               f"--threads={args.threads}", f"--repeats={args.repeats}",
               "--check", "--json"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if not proc.stdout.strip():
            print(f"{weight} g{group} --act={act} --strategy={strategy}: "
                  f"not run: {proc.stderr.strip()}", flush=True)
            continue
        r = json.loads(proc.stdout)
        fraction = r["bandwidth_fraction"]
        print(f"{weight} g{group} --act={act} --strategy={strategy} "
              f"({r['isa']}): {r['time_us']:.0f} us, {r['weight_gbps']:.2f} GB/s, "
              f"{100 * fraction:.1f}% of {r['read_gbps']:.1f} GB/s read, "
              f"{blas_us / r['time_us']:.2f}x OpenBLAS (target {5 * fraction:.2f}x), "
              f"check {r['check']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
