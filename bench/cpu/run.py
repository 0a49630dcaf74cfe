#!/usr/bin/env python3
"""CPU benchmark table: lowbit kernels against the read bandwidth and OpenBLAS.

Usage: bench/cpu/run.py [--build build] [--isa avx2] [--threads 2]
                        [--strategies dequant,int8-dot] [--quick] [--ms 16,64]
                        [--out docs/bench-cpu.md] [--kernel-cache DIR]

For every case it runs `lowbit-bench --check --json` (which measures the
machine's read bandwidth in the same process) and the OpenBLAS f32 baseline
of the same shape (sgemv for M = 1, sgemm otherwise), and writes a markdown
table: time, achieved weight GB/s, fraction of the measured read bandwidth,
and speed-up over OpenBLAS. Each case runs with every strategy listed
(`dequant` with f32 activations; `int8-dot` and `lut` with `--act=int8`);
cases a strategy cannot take are listed as such. Installs libopenblas-dev if
it is missing.
"""

import argparse
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SHAPES = [(4096, 4096), (4096, 14336), (14336, 4096)]
MS = [1, 4, 16, 64]
FORMATS = [  # (weight, zero mode, groups)
    ("int2", "none", [32, 64, 128]),
    ("int3", "none", [32, 64, 128]),
    ("int4", "none", [32, 64, 128]),
    ("uint4", "int", [32, 64, 128]),
    ("int8", "none", [32, 64, 128]),
    ("e2m1", "none", [32, 64, 128]),
    ("nf4", "none", [32, 64, 128]),
]


def ensure_openblas() -> None:
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "libopenblas-dev"],
                            capture_output=True, text=True)
    if "install ok installed" in status.stdout:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "libopenblas-dev"],
                   check=True)


def build_baseline(out_dir: str) -> str:
    exe = os.path.join(out_dir, "blas_baseline")
    src = os.path.join(ROOT, "bench", "cpu", "blas_baseline.c")
    cc = shutil.which("cc") or "gcc"
    subprocess.run([cc, "-O2", "-o", exe, src, "-lopenblas"], check=True)
    return exe


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--isa", default="avx2")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--strategies", default="dequant,int8-dot",
                        help="comma-separated: dequant, int8-dot, lut")
    parser.add_argument("--quick", action="store_true",
                        help="M = 1 and 16, 4096x14336, group 128 only")
    parser.add_argument("--ms", default=None,
                        help="comma-separated M values instead of the "
                             "table's (or --quick's), e.g. 16,64")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "bench-cpu.md"))
    parser.add_argument("--kernel-cache", default=None,
                        help="lowbit-bench --kernel-cache directory (default: "
                             "BUILD/bench-kernel-cache): each kernel compiles "
                             "once for all M")
    args = parser.parse_args()

    ensure_openblas()
    bench = os.path.join(args.build, "bin", "lowbit-bench")
    baseline = build_baseline(args.build)
    cache = args.kernel_cache or os.path.join(args.build, "bench-kernel-cache")
    shapes, ms, formats = SHAPES, MS, FORMATS
    if args.quick:
        shapes, ms = [(4096, 14336)], [1, 16]
        formats = [(w, z, [128]) for w, z, _ in FORMATS]
    if args.ms:
        try:
            ms = [int(v) for v in args.ms.split(",")]
        except ValueError:
            parser.error(f"--ms={args.ms}: expected comma-separated integers")
        if any(v < 1 for v in ms):
            parser.error(f"--ms={args.ms}: every M must be at least 1")

    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads))
    blas_us = {}
    rows = []
    for (n, k), m in itertools.product(shapes, ms):
        blas = subprocess.run([baseline, str(m), str(n), str(k), str(args.repeats)],
                              capture_output=True, text=True, env=env, check=True)
        blas_us[(m, n, k)] = float(blas.stdout)
        for (weight, zero, groups), strategy in itertools.product(
                formats, args.strategies.split(",")):
            for group in groups:
                act = "f32" if strategy == "dequant" else "int8"
                cmd = [bench, "--target=cpu", f"--isa={args.isa}", f"--m={m}",
                       f"--n={n}", f"--k={k}", f"--weight={weight}",
                       f"--group={group}", f"--zero={zero}", "--scale=f16",
                       f"--act={act}", f"--strategy={strategy}",
                       f"--threads={args.threads}",
                       f"--repeats={args.repeats}", f"--kernel-cache={cache}",
                       "--check", "--json"]
                proc = subprocess.run(cmd, capture_output=True, text=True)
                if proc.returncode == 2:
                    # The strategy cannot take this format or scheme.
                    rows.append({"m": m, "n": n, "k": k, "weight": weight,
                                 "group": group, "zero": zero,
                                 "strategy": strategy,
                                 "unsupported": proc.stderr.strip()})
                    print(f"M={m} {n}x{k} {weight} g{group} {zero} {strategy}: "
                          "not taken", flush=True)
                    continue
                if proc.returncode not in (0, 1):
                    print("error:", " ".join(cmd), proc.stderr, file=sys.stderr)
                    return 1
                r = json.loads(proc.stdout)
                r["blas_us"] = blas_us[(m, n, k)]
                rows.append(r)
                print(f"M={m} {n}x{k} {weight} g{group} {zero} {strategy}: "
                      f"{r['time_us']:.0f} us, {r['weight_gbps']:.2f} GB/s, "
                      f"{100 * r['bandwidth_fraction']:.1f}% of "
                      f"{r['read_gbps']:.1f} GB/s, "
                      f"{r['blas_us'] / r['time_us']:.2f}x OpenBLAS, check {r['check']}",
                      flush=True)

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    default_out = os.path.join(ROOT, "docs", "bench-cpu.md")
    out_flag = ("" if os.path.abspath(args.out) == default_out
                else f" --out {os.path.relpath(args.out, ROOT)}")
    with open(args.out, "w") as f:
        f.write("# CPU benchmark\n\n")
        f.write(f"Machine: {cpu}, {os.cpu_count()} cores; ISA `{args.isa}`, "
                f"{args.threads} threads, f16 scales; dequant with f32 "
                "activations, int8-dot and lut with activations quantized to "
                "int8 at run time. Command: "
                f"`bench/cpu/run.py --isa {args.isa} --threads {args.threads} "
                f"--strategies {args.strategies}"
                f"{' --quick' if args.quick else ''}"
                f"{' --ms ' + args.ms if args.ms else ''}"
                f"{out_flag}`.\n\n")
        f.write("Bandwidth fraction: packed weights, scales in their stored "
                "type and f32 zero points (what the kernel reads), per second, "
                "over the read bandwidth "
                "lowbit-bench measured in the same process. OpenBLAS: f32 "
                "sgemv (M = 1) or sgemm of the same shape, same threads, "
                "weights rotated out of cache.\n\n")
        f.write("| M | N x K | weight | group | zero | strategy | time (us) | "
                "GB/s | fraction of read BW | x OpenBLAS f32 | check |\n")
        f.write("|---|---|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            if "unsupported" in r:
                f.write(f"| {r['m']} | {r['n']}x{r['k']} | {r['weight']} | "
                        f"{r['group']} | {r['zero']} | {r['strategy']} | "
                        "not taken | | | | |\n")
                continue
            f.write(f"| {r['m']} | {r['n']}x{r['k']} | {r['weight']} | "
                    f"{r['group']} | {r['zero']} | {r['strategy']} | "
                    f"{r['time_us']:.0f} | "
                    f"{r['weight_gbps']:.2f} | {100 * r['bandwidth_fraction']:.1f}% | "
                    f"{r['blas_us'] / r['time_us']:.2f} | {r['check']} |\n")
    print("wrote", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
