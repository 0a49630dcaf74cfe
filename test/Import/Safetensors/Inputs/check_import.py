#!/usr/bin/env python3
"""Imports every case make_quant_checkpoints.py wrote and checks the result.

Usage: check_import.py CASES_DIR LOWBIT_IMPORT

For each case in CASES_DIR/cases.json, runs `LOWBIT_IMPORT CHECKPOINT
--dump=DIR` and compares the dump with the case's expected.safetensors (the
weights AutoGPTQ's or AutoAWQ's dequantization computes, f16 [N, K] in
activation order): every layer must be imported as uint<bits> with f16
scales and integer zero points, its dumped f32 weights (numerics::dequantize
of the imported codes, with the act-order permutation undone) rounded once
to f16 must equal the expected weights bit for bit, and every other tensor
must be reported as skipped. Prints "ok CASE: ..." or "FAIL CASE: ...".
"""

import json
import os
import subprocess
import sys

import numpy as np
from safetensors.numpy import load_file


def check_case(root, case, tool):
    """Returns a list of failure messages, and a summary."""
    name = case["name"]
    dump = os.path.join(root, name, "dump")
    result = subprocess.run(
        [tool, os.path.join(root, case["checkpoint"]), f"--dump={dump}",
         "-o", os.path.join(root, name, "model.mlir")],
        capture_output=True, text=True)
    if result.returncode != 0:
        return [f"lowbit-import failed: {result.stderr.strip()}"], ""
    with open(os.path.join(dump, "index.json")) as f:
        index = json.load(f)
    expected = load_file(os.path.join(root, case["expected"]))
    failures = []
    imported = {entry["name"]: entry for entry in index["tensors"]}
    if sorted(imported) != sorted(expected):
        failures.append(f"imported {sorted(imported)}, expected "
                        f"{sorted(expected)}")
    weights = permuted = 0
    for layer, want in expected.items():
        entry = imported.get(layer)
        if entry is None:
            continue
        if (entry["scale"], entry["zero"]) != ("f16", "int") or \
                not entry["format"].startswith("uint"):
            failures.append(f"{layer} imported as {entry['format']}, "
                            f"{entry['scale']} scales, zero {entry['zero']}")
        got = np.load(os.path.join(dump, entry["dequant"]))
        if got.shape != want.shape:
            failures.append(f"{layer} has shape {got.shape}, expected "
                            f"{want.shape}")
            continue
        rounded = got.astype(np.float16)
        bad = np.argwhere(rounded.view(np.uint16) != want.view(np.uint16))
        for row, col in bad[:5]:
            failures.append(f"{layer}[{row}, {col}] is {rounded[row, col]} "
                            f"({got[row, col]} in f32), expected "
                            f"{want[row, col]}")
        weights += got.size
        permuted += entry["permuted"]
    skipped = [entry["name"] for entry in index["skipped"]]
    for tensor in skipped:
        if any(tensor.startswith(layer + ".") and
               tensor.rsplit(".", 1)[1] in ("qweight", "qzeros", "scales",
                                            "g_idx") for layer in expected):
            failures.append(f"{tensor} was skipped")
    summary = (f"{len(imported)} layers ({permuted} act-order), {weights} "
               f"weights, {len(skipped)} skipped")
    return failures, summary


def main():
    root, tool = sys.argv[1], sys.argv[2]
    with open(os.path.join(root, "cases.json")) as f:
        manifest = json.load(f)
    print(f"generator seed {manifest['seed']}")
    failed = False
    for case in manifest["cases"]:
        failures, summary = check_case(root, case, tool)
        if failures:
            failed = True
            print(f"FAIL {case['name']}: seed {manifest['seed']}")
            for failure in failures:
                print(f"  {failure}")
        else:
            print(f"ok {case['name']}: {summary}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
