#!/usr/bin/env python3
"""Does the cost model rank CPU schedules the way the machine does?

Usage: bench/cpu/tune_model.py [--build build] [--hardware zen1-2core]
                               [--repeats 10] [--out docs/bench-tune.md]

For one mat-vec (M = 1) and one M = 16 matmul it asks `lowbit-tune --list
--json` for every legal schedule and its predicted time, times every schedule
in one `lowbit-bench --check --sweep=...` run (the same weights and
activations for all, each kernel's output compared with the first's, weights
rotated past the caches, median of --repeats calls), and reports:

- the Spearman rank correlation of predicted and measured times (target at
  least 0.8),
- how far the model's choice is from the best measured schedule (target
  within 10 %),
- the same after refitting the model's coefficients on the measurements
  (`lowbit-tune --measure` does this for its top candidates),
- the model-only search time per shape, and for the seven linear layers of a
  7B transformer (examples/shapes/llama2-7b.txt).

Every number in the written table comes from this run.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from stats import spearman  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CASES = [  # name, M, N, K
    ("mat-vec", 1, 11008, 4096),
    ("M=16", 16, 4096, 4096),
]
FORMAT = ["--weight=int4", "--group=128", "--zero=none", "--scale=f16", "--act=f32"]


def tune(build, hardware, m, n, k, extra=()):
    cmd = [os.path.join(build, "bin", "lowbit-tune"), "--target=cpu-avx2",
           f"--hardware={hardware}", f"--shape={m}x{n}x{k}", "--list", "--json",
           *FORMAT, *extra]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def measure(build, m, n, k, schedules, repeats):
    """Times every schedule in one lowbit-bench run (--sweep): same weights,
    same activations, each kernel checked against the first one's output."""
    cmd = [os.path.join(build, "bin", "lowbit-bench"), "--target=cpu", "--isa=avx2",
           f"--m={m}", f"--n={n}", f"--k={k}", *FORMAT, "--check",
           f"--repeats={repeats}", "--json", "--sweep=" + ";".join(schedules)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    swept = result["sweep"]
    assert [s["schedule"] for s in swept] == schedules
    assert all(s["agrees"] for s in swept), "a schedule disagrees with the others"
    return [s["time_us"] for s in swept]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--hardware", default="zen1-2core")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "bench-tune.md"))
    args = parser.parse_args()

    lines = ["# Cost model against measurement (CPU)", "",
             f"Written by `bench/cpu/tune_model.py` on {platform.processor() or platform.machine()}"
             f" ({os.cpu_count()} cores), hardware description `{args.hardware}`,"
             f" int4 weights, groups of 128, f16 scales, f32 activations, AVX2;"
             f" median of {args.repeats} calls per schedule with weights rotated past"
             f" the caches.", ""]
    summary = ["| case | schedules | Spearman (model) | model's pick vs best measured |"
               " Spearman (refit) | refit pick vs best | search time |",
               "|---|---|---|---|---|---|---|"]
    details = []
    ok = True
    for name, m, n, k in CASES:
        result = tune(args.build, args.hardware, m, n, k)
        job = result["jobs"][0]
        cands = job["all"]
        print(f"{name}: {len(cands)} schedules", file=sys.stderr)
        measured = measure(args.build, m, n, k, [c["schedule"] for c in cands],
                           args.repeats)
        for cand, t in zip(cands, measured):
            print(f"  {cand['schedule']}: predicted {cand['time_us']:.1f} us, "
                  f"measured {t:.1f} us", file=sys.stderr)
        predicted = [c["time_us"] for c in cands]
        rho = spearman(predicted, measured)
        best = min(measured)
        pick = measured[predicted.index(min(predicted))]
        # Refit: lowbit-tune --measure refits on its top candidates; here the
        # same grid fit runs on every measurement, through the tool.
        refit_rho, refit_pick = refit(args, m, n, k, cands, measured)
        ok &= rho >= 0.8 and pick <= 1.1 * best
        summary.append(f"| {name} {m}x{n}x{k} | {len(cands)} | {rho:.3f} | "
                       f"{pick:.0f} us vs {best:.0f} us ({100 * (pick / best - 1):+.1f} %) | "
                       f"{refit_rho:.3f} | {100 * (refit_pick / best - 1):+.1f} % | "
                       f"{job['search_ms']:.2f} ms |")
        details += ["", f"## {name}: {m}x{n}x{k}", "",
                    "| schedule | predicted us | measured us | predicted limit |",
                    "|---|---|---|---|"]
        for c, t in sorted(zip(cands, measured), key=lambda p: p[1]):
            details.append(f"| `{c['schedule']}` | {c['time_us']:.1f} | {t:.1f} | {c['limit']} |")

    # Search time for a whole 7B model by the model alone.
    shapes = os.path.join(ROOT, "examples", "shapes", "llama2-7b.txt")
    t0 = time.time()
    cmd = [os.path.join(args.build, "bin", "lowbit-tune"), "--target=cpu-avx2",
           f"--hardware={args.hardware}", f"--shapes={shapes}", "--json", *FORMAT]
    seven = json.loads(subprocess.run(cmd, check=True, capture_output=True,
                                      text=True).stdout)
    wall = time.time() - t0
    lines += summary
    lines += ["", f"Tuning the {len(seven['jobs'])} linear layers of Llama-2-7B "
              f"(`lowbit-tune --shapes=examples/shapes/llama2-7b.txt`, M = 1) by the "
              f"model alone: {seven['total_ms']:.1f} ms of search, {wall:.2f} s for the "
              f"whole command.", ""]
    lines += details
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(summary))
    print(f"wrote {args.out}")
    return 0 if ok else 1


def refit(args, m, n, k, cands, measured):
    """Refit the calibration on all measurements with lowbit-tune --fit."""
    data = os.path.join(os.path.dirname(args.out), ".tune-measured.json")
    with open(data, "w") as f:
        json.dump([{"schedule": c["schedule"], "measured_us": t}
                   for c, t in zip(cands, measured)], f)
    try:
        result = tune(args.build, args.hardware, m, n, k, [f"--fit={data}"])
    finally:
        os.remove(data)
    refit_pred = {c["schedule"]: c["time_us"] for c in result["jobs"][0]["all"]}
    predicted = [refit_pred[c["schedule"]] for c in cands]
    pick = measured[predicted.index(min(predicted))]
    return spearman(predicted, measured), pick


if __name__ == "__main__":
    sys.exit(main())
