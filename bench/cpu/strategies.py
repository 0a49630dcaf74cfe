#!/usr/bin/env python3
"""The CPU strategies side by side, and how often --strategy=auto picks the fastest.

Usage: bench/cpu/strategies.py [--build build] [--isa avx2] [--threads 2]
                               [--ms 1,4,16] [--weights int1,int2,int3,int4,int8]
                               [--n 4096] [--k 14336] [--group 128]
                               [--repeats 10] [--out docs/bench-strategies.md]
                               [--save FILE.json] [--reuse FILE.json]

For every case (M, weight format) it runs `lowbit-bench --check --json` with
each strategy: dequant (f32 activations), int8-dot and lut (activations
quantized at run time: --act=int8), and auto, all on the same shape, and
writes a markdown table of times, achieved weight bandwidth and its fraction
of the read bandwidth each run measured, the fastest strategy, and the one
auto chose. A strategy that cannot take a case is listed as such.

--save writes the measurements as JSON; --reuse reads them back instead of
timing again and only asks lowbit-bench which strategy auto picks now (to
re-score a changed heuristic on the same measurements).
"""

import argparse
import json
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STRATEGIES = ["dequant", "int8-dot", "lut"]


def run(bench, args, m, weight, strategy, timed=True):
    act = "f32" if strategy == "dequant" else "int8"
    cmd = [bench, "--target=cpu", f"--isa={args.isa}", f"--m={m}", f"--n={args.n}",
           f"--k={args.k}", f"--weight={weight}", f"--group={args.group}",
           "--scale=f16", f"--act={act}", f"--strategy={strategy}",
           f"--threads={args.threads}", "--json"]
    cmd += [f"--repeats={args.repeats}", "--check"] if timed else ["--repeats=0"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode == 2:
        return None  # The strategy cannot take this case.
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        sys.exit(f"error: {' '.join(cmd)}\n{proc.stderr}")
    return json.loads(proc.stdout)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--isa", default="avx2")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--ms", default="1,4,16")
    parser.add_argument("--weights", default="int1,int2,int3,int4,int8")
    parser.add_argument("--n", type=int, default=4096)
    parser.add_argument("--k", type=int, default=14336)
    parser.add_argument("--group", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "bench-strategies.md"))
    parser.add_argument("--save", help="write the measurements as JSON")
    parser.add_argument("--reuse", help="read measurements from --save's JSON")
    args = parser.parse_args()
    bench = os.path.join(args.build, "bin", "lowbit-bench")

    saved = {}
    if args.reuse:
        with open(args.reuse) as f:
            saved = {(r["m"], r["weight"]): r["results"] for r in json.load(f)}
    rows = []
    for m in [int(v) for v in args.ms.split(",")]:
        for weight in args.weights.split(","):
            results = saved.get((m, weight)) or {
                s: run(bench, args, m, weight, s) for s in STRATEGIES}
            auto = run(bench, args, m, weight, "auto", timed=False)
            timed = {s: r for s, r in results.items() if r is not None}
            fastest = min(timed, key=lambda s: timed[s]["time_us"])
            row = {"m": m, "weight": weight, "results": results,
                   "fastest": fastest, "auto": auto["strategy"]}
            rows.append(row)
            print(f"M={m} {weight}: " + ", ".join(
                f"{s} {r['time_us']:.0f} us ({100 * r['bandwidth_fraction']:.0f}%, {r['check']})"
                if r else f"{s} not taken" for s, r in results.items()) +
                f"; fastest {fastest}, auto {row['auto']}", flush=True)

    hits = sum(r["fastest"] == r["auto"] for r in rows)
    if args.save:
        with open(args.save, "w") as f:
            json.dump(rows, f, indent=1)
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    with open(args.out, "w") as f:
        f.write("# CPU strategies\n\n")
        f.write(f"Machine: {cpu}, {os.cpu_count()} cores; ISA `{args.isa}`, "
                f"{args.threads} threads; N x K = {args.n} x {args.k}, group "
                f"{args.group}, f16 scales. Command: `bench/cpu/strategies.py "
                f"--isa {args.isa} --threads {args.threads} --ms {args.ms} "
                f"--weights {args.weights} --n {args.n} --k {args.k} --group "
                f"{args.group} --repeats {args.repeats}`"
                f"{' --reuse ' + args.reuse if args.reuse else ''}.\n\n")
        f.write("Each cell: time per call (median of the repeats), and the "
                "weight bandwidth as a fraction of the read bandwidth "
                "lowbit-bench measured in the same run. dequant multiplies the "
                "exact f32 activations; int8-dot and lut quantize them at run "
                "time (--act=int8). Every run passed its --check unless marked.\n\n")
        f.write("| M | weight | dequant | int8-dot | lut | fastest | auto |\n")
        f.write("|---|---|---|---|---|---|---|\n")
        for r in rows:
            cells = []
            for s in STRATEGIES:
                res = r["results"][s]
                if res is None:
                    cells.append("not taken")
                    continue
                cell = (f"{res['time_us']:.0f} us, "
                        f"{100 * res['bandwidth_fraction']:.0f} %")
                if res["check"] != "pass":
                    cell += " (check failed)"
                cells.append(cell)
            f.write(f"| {r['m']} | {r['weight']} | " + " | ".join(cells) +
                    f" | {r['fastest']} | {r['auto']}"
                    f"{'' if r['auto'] == r['fastest'] else ' (miss)'} |\n")
        f.write(f"\nauto picked the fastest strategy in {hits} of {len(rows)} "
                f"cases ({100 * hits / len(rows):.0f} %).\n")
    print(f"auto picked the fastest in {hits}/{len(rows)}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
