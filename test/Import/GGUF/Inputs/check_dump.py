#!/usr/bin/env python3
"""Compares lowbit-import's --dump with the gguf package's dequantization.

For every tensor lowbit imported, the dequantized values it dumped
(numerics::dequantize of the imported codes and parameters, in f32) must
equal gguf.quants.dequantize of the tensor's bytes, which mirrors ggml's
dequantize_row_*: exactly, as f32 values, and bit for bit except that
lowbit's e2m1 code 8 is -0.0 where ggml's MXFP4 table gives +0.0. Every
tensor of the file must be either imported or skipped, and every tensor of
a supported type with a 2-D shape imported.

Usage: check_dump.py FILE.gguf DUMP_DIR
"""

import json
import os
import sys

import numpy as np
import gguf


def main():
    path, dump = sys.argv[1], sys.argv[2]
    with open(os.path.join(dump, "index.json")) as f:
        index = json.load(f)
    imported = {entry["name"]: entry for entry in index["tensors"]}
    skipped = {entry["name"]: entry["reason"] for entry in index["skipped"]}
    failures = 0
    reader = gguf.GGUFReader(path)
    for tensor in reader.tensors:
        name = tensor.name
        if name in skipped:
            print(f"skipped {name}: {skipped[name]}")
            continue
        if name not in imported:
            print(f"FAIL {name}: neither imported nor skipped")
            failures += 1
            continue
        entry = imported[name]
        # MXFP4 scales near 2^127 overflow to inf, in ggml too.
        with np.errstate(over="ignore"):
            ref = gguf.quants.dequantize(tensor.data, tensor.tensor_type)
        ref = np.asarray(ref, dtype=np.float32)
        ours = np.load(os.path.join(dump, entry["dequant"]))
        codes = np.load(os.path.join(dump, entry["codes"]))
        shape = (entry["n"], entry["k"])
        if ref.shape != shape or ours.shape != shape or codes.shape != shape:
            print(f"FAIL {name}: shapes {ref.shape}, {ours.shape}, "
                  f"{codes.shape}; expected {shape}")
            failures += 1
            continue
        same = (ref == ours) | (np.isnan(ref) & np.isnan(ours))
        ref_bits, our_bits = ref.view(np.uint32), ours.view(np.uint32)
        same_bits = (ref_bits == our_bits) | (ref == 0)
        if not same.all() or not same_bits.all():
            bad = np.argwhere(~(same & same_bits))
            row, col = bad[0]
            print(f"FAIL {name} ({tensor.tensor_type.name} as "
                  f"{entry['format']}): {len(bad)} of {ref.size} values "
                  f"differ; first at [{row}, {col}]: gguf "
                  f"{ref[row, col]!r} lowbit {ours[row, col]!r}, code "
                  f"{codes[row, col]}")
            failures += 1
            continue
        print(f"ok {name}: {tensor.tensor_type.name} as {entry['format']}, "
              f"group {entry['group']}, {entry['scale']} scales, zero "
              f"{entry['zero']}: {ref.size} values equal")
    if failures:
        print(f"{failures} tensors failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
