#!/usr/bin/env python3
"""Latency and energy of the tile search's GPU schedules, measured with NVML.

For each benchmark shape the cost model ranks every legal schedule
(`lowbit-tune --target=cuda --list --json`); this script takes the model's
latency-, energy- and EDP-best schedules and a spread of the others, and
measures each one's time and energy per call on the GPU, so the table shows
both how well the model ranks schedules and what choosing for energy saves
and costs.

Two steps, as for bench/gpu/run.py (the compiler and the GPU live on
different machines):

  prepare  (where lowbit is built): lowbit-tune ranks the schedules;
           `lowbit-bench --target=cuda --compile-only --gpu-tile=...` emits
           each chosen one into DIR/<case>, with the predictions in
           DIR/manifest.json.
  run      (on the NVIDIA GPU; needs nvcc): builds each probe and runs it with
           `--energy-ms T`: after the correctness check and the timing, the
           probe reads the board's energy counter (NVML) around T ms of idle
           and then T ms of back-to-back calls. Energy per call is the
           counter's difference over the calls; it includes the board's idle
           power, which is what a deployment pays.

  python3 bench/gpu/energy.py prepare --out bench/gpu/energy-cases
  python3 bench/gpu/energy.py run --cases bench/gpu/energy-cases --json e.json
  python3 bench/gpu/energy.py db --results e.json --out tuning.json

`db` turns the measurements into a tuning database (docs/tuning.md): per
shape and objective (latency, energy, edp) the measured best schedule, with
its measured time, under the key --lowbit-tile-search{target=cuda
hardware=H db=...} and `lowbit-compile --tune=model --tuning-db=...` look
up, so later compiles take the measured pick instead of the model's.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from stats import spearman  # noqa: E402
from run import build_probe, emit_case  # noqa: E402  (bench/gpu/run.py)

# The benchmark shapes: int4, group 128, f16, N = K = 8192.
SHAPES = [(1, 8192, 8192), (16, 8192, 8192)]
FLAGS = ["--weight=int4", "--group=128", "--act=f16"]


def tile_flag(schedule):
    """--gpu-tile's value for a schedule's text (stages only when set)."""
    fields = dict(kv.split("=") for kv in schedule.split(","))
    keys = ["tiles_n", "warps_n", "warps_k", "split_k"]
    if int(fields.get("stages", "0")) > 0:
        keys.append("stages")
    return ",".join(fields[k] for k in keys)


def schedule_text(tile):
    """The schedule text (lowbit-tune's) of a --gpu-tile value."""
    fields = tile.split(",")
    keys = ["tiles_n", "warps_n", "warps_k", "split_k", "stages"]
    text = ",".join("%s=%s" % kv for kv in zip(keys, fields[:4]))
    if len(fields) > 4 and int(fields[4]) > 0:
        text += ",stages=" + fields[4]
    return text


def prepare(args):
    tune = os.path.join(args.build, "bin", "lowbit-tune")
    bench = os.path.join(args.build, "bin", "lowbit-bench")
    os.makedirs(args.out, exist_ok=True)
    todo = []
    for m, n, k in SHAPES:
        picks = {}
        every = None
        for objective in ("latency", "energy", "edp"):
            r = subprocess.run([tune, "--quiet", "--json", "--list", "--target=cuda",
                                "--hardware=" + args.hardware, "--objective=" + objective,
                                "--shape=%dx%dx%d" % (m, n, k)] + FLAGS,
                               capture_output=True, text=True, check=True)
            job = json.loads(r.stdout)["jobs"][0]
            picks[objective] = job["schedule"]
            problem = job["problem"]
            every = job["all"]
        # The picks, then a spread over the model's latency order.
        every.sort(key=lambda c: c["time_us"])
        chosen = [picks["latency"], picks["energy"], picks["edp"]]
        step = max(1, len(every) // args.spread)
        chosen += [c["schedule"] for c in every[::step]]
        seen = []
        for s in chosen:
            if s not in seen:
                seen.append(s)
        for tile in args.also.split(";") if args.also else []:
            s = schedule_text(tile)
            if s not in seen:
                seen.append(s)
        predicted = {c["schedule"]: c for c in every}
        for s in seen:
            if s not in predicted:
                print("skipped %s at M=%d: not a legal schedule for the search" % (s, m))
                continue
            name = "energy-m%d-%s" % (m, tile_flag(s).replace(",", "_"))
            todo.append({"name": name, "m": m, "n": n, "k": k, "schedule": s,
                         "problem": problem,
                         "gpu_tile": tile_flag(s),
                         "predicted_us": predicted[s]["time_us"],
                         "predicted_uj": predicted[s]["energy_uj"],
                         "model_pick": [o for o in picks if picks[o] == s]})

    def emit(entry):
        emit_case(bench, args.arch, os.path.join(args.out, entry["name"]),
                  ["--n=%d" % entry["n"], "--k=%d" % entry["k"], "--gpu-tile=" + entry["gpu_tile"]] + FLAGS)

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(emit, todo))
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"hardware": args.hardware, "arch": args.arch, "cases": todo}, f, indent=1)
    print("prepared %d schedules in %s" % (len(todo), args.out))


def run(args):
    with open(os.path.join(args.cases, "manifest.json")) as f:
        manifest = json.load(f)
    cases = manifest["cases"]
    arch = manifest["arch"]

    def build(entry):
        return build_probe(args.nvcc, arch, os.path.join(args.cases, entry["name"]))

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        built = list(pool.map(build, cases))
    results = []
    for entry, (rc, err) in zip(cases, built):
        if rc != 0:
            print("BUILD FAILED %s\n%s" % (entry["name"], err))
            return 1
        d = os.path.join(args.cases, entry["name"])
        r = subprocess.run([os.path.join(d, "probe"), "--m", str(entry["m"]), "--repeats",
                            str(args.repeats), "--energy-ms", str(args.energy_ms)],
                           capture_output=True, text=True)
        try:
            res = json.loads(r.stdout.strip().splitlines()[-1])
        except Exception:
            res = {"check": "crash", "stderr": r.stderr[-500:]}
        res.update(entry)
        results.append(res)
        print(json.dumps(res), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)

    bad = [r for r in results if r.get("check") != "pass" or r.get("energy_uj", -1) < 0]
    for r in bad:
        print("FAILED %s: check %s, energy: %s" % (r["name"], r.get("check"), r.get("energy_error")))
    print()
    for m, n, k in SHAPES:
        rows = [r for r in results if r["m"] == m and r not in bad]
        if not rows:
            continue
        print("### M = %d, N = %d, K = %d (int4, group 128, f16)\n" % (m, n, k))
        print("| schedule (tilesN,warpsN,warpsK,splitK) | model's pick | predicted us | predicted uJ "
              "| measured us (stream) | measured us (single) | measured uJ/call | board W |")
        print("|---|---|---|---|---|---|---|---|")
        for r in sorted(rows, key=lambda r: r["stream_us"]):
            print("| %s | %s | %.1f | %.0f | %.1f | %.1f | %.0f | %.0f |" % (
                r["gpu_tile"], ", ".join(r["model_pick"]) or "-", r["predicted_us"],
                r["predicted_uj"], r["stream_us"], r["time_us"], r["energy_uj"], r["busy_w"]))
        fast = min(rows, key=lambda r: r["stream_us"])
        frugal = min(rows, key=lambda r: r["energy_uj"])
        lat_pick = next(r for r in rows if "latency" in r["model_pick"])
        en_pick = next(r for r in rows if "energy" in r["model_pick"])
        print()
        print("- Spearman, predicted vs measured: time %.3f, energy %.3f (%d schedules)" % (
            spearman([r["predicted_us"] for r in rows], [r["stream_us"] for r in rows]),
            spearman([r["predicted_uj"] for r in rows], [r["energy_uj"] for r in rows]), len(rows)))
        print("- model's latency pick %s: %.1f us, %.0f uJ; model's energy pick %s: %.1f us, %.0f uJ" % (
            lat_pick["gpu_tile"], lat_pick["stream_us"], lat_pick["energy_uj"],
            en_pick["gpu_tile"], en_pick["stream_us"], en_pick["energy_uj"]))
        print("- measured latency-best %s: %.1f us, %.0f uJ; measured energy-best %s: %.1f us, %.0f uJ" % (
            fast["gpu_tile"], fast["stream_us"], fast["energy_uj"],
            frugal["gpu_tile"], frugal["stream_us"], frugal["energy_uj"]))
        print("- choosing for energy saves %.1f%% energy per call and pays %.1f%% latency "
              "(measured bests); idle board power %.0f W\n" % (
                  100 * (fast["energy_uj"] - frugal["energy_uj"]) / fast["energy_uj"],
                  100 * (frugal["stream_us"] - fast["stream_us"]) / fast["stream_us"],
                  sorted(r["idle_w"] for r in rows)[len(rows) // 2]))
    dev = next((r["device"] for r in results if r.get("device")), "?")
    print("device: %s; %d schedules, %d failed" % (dev, len(results), len(bad)))
    return 1 if bad else 0


def write_db(args):
    with open(args.results) as f:
        results = [r for r in json.load(f) if r.get("check") == "pass" and r.get("energy_uj", -1) > 0]
    db = {"lowbit_tuning_db": 1, "entries": []}
    if os.path.exists(args.out):
        with open(args.out) as f:
            db = json.load(f)
    entries = {e["key"]: e for e in db["entries"]}
    score = {"latency": lambda r: r["stream_us"], "energy": lambda r: r["energy_uj"],
             "edp": lambda r: r["stream_us"] * r["energy_uj"]}
    shapes = sorted({(r["problem"], r["m"]) for r in results})
    for problem, _ in shapes:
        rows = [r for r in results if r["problem"] == problem]
        for objective, key_of in score.items():
            best = min(rows, key=key_of)
            key = "cuda/%s/%s/%s" % (args.hardware, objective, problem)
            entries[key] = {"key": key, "schedule": best["schedule"],
                            "time_us": best["predicted_us"], "energy_uj": best["predicted_uj"],
                            "measured_us": best["stream_us"]}
            print("%s: %s (%.1f us, %.0f uJ measured)" % (key, best["schedule"],
                                                          best["stream_us"], best["energy_uj"]))
    db["entries"] = [entries[k] for k in sorted(entries)]
    with open(args.out, "w") as f:
        json.dump(db, f, indent=2, sort_keys=True)
        f.write("\n")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("prepare")
    a.add_argument("--build", default=os.path.join(ROOT, "build"))
    a.add_argument("--out", default=os.path.join(ROOT, "bench", "gpu", "energy-cases"))
    a.add_argument("--arch", default="sm_90a")
    a.add_argument("--hardware", default="h100")
    a.add_argument("--spread", type=int, default=12, help="schedules beyond the picks, per shape")
    a.add_argument("--also", default="4,2,4,1;2,2,4,1;2,4,4,1;1,4,4,1",
                   help="more schedules (tilesN,warpsN,warpsK,splitK; ';' between), by default the "
                        "emitter's default for int4 and the fastest seen earlier")
    a.add_argument("--jobs", type=int, default=2)
    b = sub.add_parser("run")
    b.add_argument("--cases", default=os.path.join(ROOT, "bench", "gpu", "energy-cases"))
    b.add_argument("--nvcc", default="nvcc")
    b.add_argument("--repeats", type=int, default=100)
    b.add_argument("--energy-ms", type=int, default=1000)
    b.add_argument("--json", default="")
    c = sub.add_parser("db")
    c.add_argument("--results", required=True, help="the JSON that run --json wrote")
    c.add_argument("--out", required=True, help="tuning database to create or update")
    c.add_argument("--hardware", default="h100")
    args = p.parse_args()
    sys.exit({"prepare": prepare, "run": run, "db": write_db}[args.cmd](args))


if __name__ == "__main__":
    main()
