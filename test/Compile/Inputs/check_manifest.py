#!/usr/bin/env python3
"""Summarizes a lowbit-compile library folder and checks its files.

Usage: check_manifest.py OUT

Reads OUT/manifest.json, checks that every constant operand's file exists
with the byte count and CRC-32 the manifest gives and that the byte count
matches shape x dtype width, and that the source and header it names exist.
Prints `target T, K kernels, L layers`, then one line per layer:
`name: kernel role dtype [shape] crc ok|BAD ..., role dtype [shape] runtime`.
Exits 1 on any mismatch.
"""

import json
import os
import sys
import zlib

WIDTH = {"u32": 4, "u16": 2, "i32": 4, "f32": 4, "f16": 2, "bf16": 2, "e8m0": 1,
         "e4m3": 1, "u8": 1, "i8": 1, "i16": 2, "i64": 8}


def main():
    out = sys.argv[1]
    with open(os.path.join(out, "manifest.json")) as handle:
        manifest = json.load(handle)
    bad = 0
    for key in ("source", "header"):
        if not os.path.exists(os.path.join(out, manifest[key])):
            print(f"MISSING {manifest[key]}")
            bad += 1
    print(f"target {manifest['target']}, {len(manifest['kernels'])} kernels, "
          f"{len(manifest['layers'])} layers")
    kernels = {k["name"] for k in manifest["kernels"]}
    for layer in manifest["layers"]:
        if layer["kernel"] not in kernels:
            print(f"UNKNOWN kernel {layer['kernel']}")
            bad += 1
        parts = []
        for operand in layer["operands"]:
            shape = "[" + ", ".join(str(d) for d in operand["shape"]) + "]"
            text = f"{operand['role']} {operand['dtype']} {shape}"
            if "file" in operand:
                with open(os.path.join(out, operand["file"]), "rb") as handle:
                    data = handle.read()
                count = 1
                for d in operand["shape"]:
                    count *= d
                ok = (len(data) == operand["bytes"] and
                      f"{zlib.crc32(data):08x}" == operand["crc32"] and
                      len(data) == count * WIDTH[operand["dtype"]])
                bad += not ok
                text += " crc " + ("ok" if ok else "BAD")
            else:
                text += " runtime"
            parts.append(text)
        print(f"{layer['name']}: {layer['kernel']} " + ", ".join(parts))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
