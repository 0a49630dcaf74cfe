#!/usr/bin/env python3
"""GPU benchmark and correctness sweep for lowbit's CUDA kernels.

Two steps, because the compiler (LLVM/MLIR) and the GPU live on different
machines:

  prepare  (where lowbit is built): emits every case's kernel through
           `lowbit-bench --target=cuda --compile-only --dump=DIR/<case>`
           (the IR pipeline, lowbit-translate --emit-cuda, the generated
           probe) into DIR.
  run      (on the GPU machine; needs nvcc and torch): compiles each case's
           probe, runs it (fresh random data, every element checked against a
           float64 reference, CUDA-event timing rotating weight copies past
           the L2), times torch's f16 matmul (cuBLAS) on the same shapes in
           the same run, and prints one table. Times are per single call
           (an event pair around each, median) and per call in a stream of
           back-to-back calls (as consecutive layers run); the probe reports
           the device-to-device copy bandwidth it measured in the same
           process.

  python3 bench/gpu/run.py prepare --out bench/gpu/cases
  python3 bench/gpu/run.py run --cases bench/gpu/cases --json results.json
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# (name, lowbit-bench flags, M values). Correctness cases use N=1024,
# K=4096 so the float64 reference stays quick; performance cases use the
# issue's N = K = 8192, group 128, f16.
FORMATS = ["int%d" % b for b in range(1, 9)] + ["uint%d" % b for b in range(1, 9)] + [
    "e2m1", "e3m2", "e2m3", "e4m3", "e5m2", "e3m0", "e2m2", "e1m2", "e3m4", "e2m0",
    "nf4", "ternary", "mxfp4", "nvfp4"]
CHECK_SHAPE = ["--n=1024", "--k=4096"]
CHECK_M = [1, 16, 37]


def cases(arch="sm_90a"):
    out = []
    for f in FORMATS:
        out.append(("check-%s" % f, ["--weight=" + f] + CHECK_SHAPE, CHECK_M))
    extra = [
        ("check-int4-zint", ["--weight=int4", "--zero=int"]),
        ("check-uint4-zint", ["--weight=uint4", "--zero=int"]),
        ("check-uint3-zint", ["--weight=uint3", "--zero=int"]),
        ("check-uint8-zint", ["--weight=uint8", "--zero=int"]),
        ("check-int4-zfloat", ["--weight=int4", "--zero=float"]),
        ("check-e4m3-zfloat", ["--weight=e4m3", "--zero=float"]),
        ("check-int4-asym", ["--weight=int4", "--zero=asym-fp"]),
        ("check-e2m1-asym", ["--weight=e2m1", "--zero=asym-fp"]),
        ("check-int4-g32", ["--weight=int4", "--group=32"]),
        ("check-int3-g64", ["--weight=int3", "--group=64"]),
        ("check-int4-g256", ["--weight=int4", "--group=256"]),
        ("check-int4-perchannel", ["--weight=int4", "--group=4096"]),
        ("check-int4-f32scale", ["--weight=int4", "--scale=f32"]),
        ("check-int4-bf16scale", ["--weight=int4", "--scale=bf16"]),
        ("check-int4-bf16", ["--weight=int4", "--act=bf16"]),
        ("check-int5-bf16", ["--weight=int5", "--act=bf16"]),
        ("check-uint8-bf16", ["--weight=uint8", "--act=bf16"]),
        ("check-e4m3-bf16", ["--weight=e4m3", "--act=bf16"]),
        ("check-nf4-bf16", ["--weight=nf4", "--act=bf16"]),
        ("check-uint4-zint-bf16", ["--weight=uint4", "--zero=int", "--act=bf16"]),
    ]
    for name, flags in extra:
        out.append((name, flags + CHECK_SHAPE, CHECK_M))
    perf = ["int4", "int3", "int5", "int2", "int8", "e2m1", "nf4"]
    for f in perf:
        out.append(("perf-%s" % f, ["--weight=" + f, "--n=8192", "--k=8192", "--group=128"], [1, 16]))
    out.append(("perf-uint4-zint", ["--weight=uint4", "--zero=int", "--n=8192", "--k=8192"], [1, 16]))
    # Decompositions other than the emitter's default
    # (tilesN,warpsN,warpsK,splitK[,cp.async stages]); 8,1,2,1,4 is the
    # tile search's latency pick for M = 1 on the h100 description
    # (test/Tools/gpu-tuning-db.test).
    for tile in ["4,1,8,1", "2,2,4,1", "4,2,4,2", "2,1,8,1", "4,2,2,1", "2,4,2,1",
                 "2,2,4,1,3", "4,2,4,1,2", "2,2,4,1,4", "4,1,8,1,2", "8,1,2,1,4"]:
        out.append(("tile-int4-" + tile.replace(",", "_"),
                    ["--weight=int4", "--n=8192", "--k=8192", "--gpu-tile=" + tile], [1, 16]))
    # The wgmma kernel for M > 8 (sixth number; sm_90a only), at M = 16 and 64.
    if arch == "sm_90a":
        for tile in ["4,4,1,1,0,1", "2,4,2,1,0,1", "4,4,1,1,3,1"]:
            out.append(("wgmma-int4-" + tile.replace(",", "_"),
                        ["--weight=int4", "--n=8192", "--k=8192", "--gpu-tile=" + tile], [16, 64]))
    return out


def emit_case(bench, arch, directory, flags):
    """lowbit-bench --compile-only: the case's kernel, probe and meta in
    `directory`, without the compiled probe (the GPU machine compiles it)."""
    cmd = [bench, "--target=cuda", "--arch=" + arch, "--compile-only", "--dump=" + directory] + flags
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("prepare %s failed:\n%s%s" % (os.path.basename(directory), r.stdout, r.stderr))
    for f in ("probe", "probe.json"):
        p = os.path.join(directory, f)
        if os.path.exists(p):
            os.remove(p)


def build_probe(nvcc, arch, directory):
    """Compiles `directory`/probe.cu for `arch`: (exit status, end of stderr)."""
    cmd = [nvcc, "-O3", "-std=c++17", "-gencode=arch=compute_%s,code=%s" % (arch[3:], arch),
           "-o", os.path.join(directory, "probe"), os.path.join(directory, "probe.cu")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stderr[-2000:]


def prepare(args):
    bench = os.path.join(args.build, "bin", "lowbit-bench")
    os.makedirs(args.out, exist_ok=True)
    manifest = []

    def one(case):
        name, flags, ms = case
        emit_case(bench, args.arch, os.path.join(args.out, name), flags)
        return {"name": name, "flags": flags, "m": ms}

    chosen = [c for c in cases(args.arch) if re.match(args.only, c[0])]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        manifest = list(pool.map(one, chosen))
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("prepared %d cases in %s" % (len(manifest), args.out))


def torch_baseline(m, n, k, repeats=50):
    """torch.matmul in f16 (cuBLAS): (median single-call us, stream us)."""
    import torch
    dev = torch.device("cuda")
    # Rotate weight copies past the L2 cache, as the probe does.
    l2 = torch.cuda.get_device_properties(0).L2_cache_size
    copies = max(1, min(16, (4 * l2) // (n * k * 2) + 1))
    ws = [torch.randn(k, n, device=dev, dtype=torch.float16) for _ in range(copies)]
    x = torch.randn(m, k, device=dev, dtype=torch.float16)
    for i in range(5):
        torch.matmul(x, ws[i % copies])
    times = []
    for i in range(repeats):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        torch.matmul(x, ws[i % copies])
        e.record()
        e.synchronize()
        times.append(s.elapsed_time(e) * 1e3)
    times.sort()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record()
    for i in range(repeats):
        torch.matmul(x, ws[i % copies])
    e.record()
    e.synchronize()
    return times[len(times) // 2], s.elapsed_time(e) * 1e3 / repeats


def run(args):
    with open(os.path.join(args.cases, "manifest.json")) as f:
        manifest = json.load(f)

    def build(entry):
        rc, err = build_probe(args.nvcc, args.arch, os.path.join(args.cases, entry["name"]))
        return entry["name"], rc, err

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        built = list(pool.map(build, manifest))
    broken = [(n, e) for n, rc, e in built if rc != 0]
    for n, e in broken:
        print("BUILD FAILED %s\n%s" % (n, e))
    results = []
    for entry in manifest:
        if any(entry["name"] == n for n, _ in broken):
            continue
        d = os.path.join(args.cases, entry["name"])
        for m in entry["m"]:
            reps = args.repeats if not entry["name"].startswith("check") else 5
            r = subprocess.run([os.path.join(d, "probe"), "--m", str(m), "--repeats", str(reps)],
                               capture_output=True, text=True)
            try:
                res = json.loads(r.stdout.strip().splitlines()[-1])
            except Exception:
                res = {"check": "crash", "stderr": r.stderr[-500:]}
            res["case"] = entry["name"]
            res["m"] = m
            results.append(res)
            print(json.dumps(res), flush=True)
    baselines = {}
    for res in results:
        if not res["case"].startswith("check") and "n" in res:
            key = (res["m"], res["n"], res["k"])
            if key not in baselines:
                baselines[key] = torch_baseline(*key)
            res["torch_f16_us"], res["torch_f16_stream_us"] = baselines[key]
            res["speedup_vs_torch"] = res["torch_f16_us"] / res["time_us"] if res.get("time_us") else 0
            res["stream_speedup_vs_torch"] = (res["torch_f16_stream_us"] / res["stream_us"]
                                              if res.get("stream_us") else 0)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    failed = [r for r in results if r.get("check") != "pass"]
    print()
    print("| case | M | check | rel. error | single call (us) | % copy BW | torch f16 (us) | vs torch "
          "| stream (us) | % copy BW | torch f16 stream (us) | vs torch |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        perf = not r["case"].startswith("check")

        def num(key, fmt, scale=1.0):
            return fmt % (scale * r[key]) if perf and key in r else "-"
        print("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["case"], r["m"], r.get("check"), "%.1e" % r["rel_error"] if "rel_error" in r else "-",
            num("time_us", "%.1f"), num("copy_fraction", "%.0f%%", 100), num("torch_f16_us", "%.1f"),
            num("speedup_vs_torch", "%.2fx"), num("stream_us", "%.1f"),
            num("stream_copy_fraction", "%.0f%%", 100), num("torch_f16_stream_us", "%.1f"),
            num("stream_speedup_vs_torch", "%.2fx")))
    dev = next((r["device"] for r in results if r.get("device")), "?")
    copy = next((r["copy_gbps"] for r in results if r.get("copy_gbps")), 0)
    print("\ndevice: %s; device-to-device copy: %.0f GB/s (read + write)" % (dev, copy))
    print("%d results, %d failed, %d builds failed" % (len(results), len(failed), len(broken)))
    return 1 if failed or broken else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("prepare")
    a.add_argument("--build", default=os.path.join(ROOT, "build"))
    a.add_argument("--out", default=os.path.join(ROOT, "bench", "gpu", "cases"))
    a.add_argument("--arch", default="sm_90a")
    a.add_argument("--jobs", type=int, default=2)
    a.add_argument("--only", default="", help="prepare the cases whose name matches this regex")
    b = sub.add_parser("run")
    b.add_argument("--cases", default=os.path.join(ROOT, "bench", "gpu", "cases"))
    b.add_argument("--arch", default="sm_90a")
    b.add_argument("--nvcc", default="nvcc")
    b.add_argument("--repeats", type=int, default=100)
    b.add_argument("--json", default="")
    args = p.parse_args()
    sys.exit(prepare(args) if args.cmd == "prepare" else run(args))


if __name__ == "__main__":
    main()
