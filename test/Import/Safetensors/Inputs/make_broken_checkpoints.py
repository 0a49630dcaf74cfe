#!/usr/bin/env python3
"""Writes malformed safetensors checkpoints for errors.test.

Usage: make_broken_checkpoints.py OUT

Each file or directory under OUT breaks one rule the reader checks; the
names say which.
"""

import json
import os
import struct
import sys


def safetensors(header, data=b"", length=None):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length) + \
        text + data


def entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def gptq_layer(prefix, k=64, n=32, groups=2, g_idx=None):
    """Tensors of a 4-bit GPTQ layer (all codes zero) as header and data."""
    header, data = {}, b""

    def add(name, dtype, shape, payload):
        nonlocal data
        header[f"{prefix}.{name}"] = entry(dtype, shape, len(data),
                                           len(data) + len(payload))
        data += payload

    add("qweight", "I32", [k // 8, n], bytes(k // 8 * n * 4))
    add("qzeros", "I32", [groups, n // 8], bytes(groups * n // 8 * 4))
    add("scales", "F16", [groups, n], b"\x00\x3c" * (groups * n))
    if g_idx is not None:
        add("g_idx", "I32", [k], struct.pack(f"<{k}i", *g_idx))
    return header, data


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)


def main():
    out = sys.argv[1]
    write(f"{out}/short.safetensors", b"abc")
    write(f"{out}/long-header.safetensors", safetensors({}, length=1000))
    write(f"{out}/bad-json.safetensors", struct.pack("<Q", 5) + b"{\"a\":")
    write(f"{out}/deep.safetensors", struct.pack("<Q", 100000) +
          b"[" * 100000)
    write(f"{out}/bad-dtype.safetensors",
          safetensors({"w": entry("F4", [2], 0, 1)}, b"\0"))
    write(f"{out}/overflow.safetensors",
          safetensors({"w": entry("F32", [2**40, 2**40], 0, 4)}, bytes(4)))
    write(f"{out}/size-mismatch.safetensors",
          safetensors({"w": entry("I32", [2, 3], 0, 16)}, bytes(16)))
    write(f"{out}/past-end.safetensors",
          safetensors({"w": entry("U8", [8], 4, 12)}, bytes(8)))
    write(f"{out}/overlap.safetensors",
          safetensors({"a": entry("U8", [4], 0, 4),
                       "b": entry("U8", [4], 2, 6)}, bytes(6)))

    header, data = gptq_layer("layer")
    truncated = safetensors(header, data)
    write(f"{out}/truncated/model.safetensors", truncated[:-10])

    header, data = gptq_layer("layer", g_idx=[0] * 33 + [1] * 31)
    write(f"{out}/uneven-groups.safetensors", safetensors(header, data))

    header, data = gptq_layer("layer")
    del header["layer.scales"]
    write(f"{out}/no-scales.safetensors", safetensors(header, data))

    # Scales of 1.0 (f16 0x3c00) with an inf one (0x7c00) for output 5 of
    # group 1, and a NaN one (0x7e00).
    for name, bad in (("inf-scale", b"\x00\x7c"), ("nan-scale", b"\x00\x7e")):
        header, data = gptq_layer("layer")
        begin = header["layer.scales"]["data_offsets"][0] + 2 * (32 + 5)
        data = data[:begin] + bad + data[begin + 2:]
        write(f"{out}/{name}.safetensors", safetensors(header, data))

    header, data = gptq_layer("layer")
    write(f"{out}/bits-mismatch/model.safetensors", safetensors(header, data))
    write(f"{out}/bits-mismatch/quantize_config.json",
          json.dumps({"bits": 8, "group_size": 32}).encode())

    write(f"{out}/marlin/model.safetensors", safetensors(header, data))
    write(f"{out}/marlin/quantize_config.json",
          json.dumps({"bits": 4, "checkpoint_format": "marlin"}).encode())

    os.makedirs(f"{out}/empty-dir", exist_ok=True)
    write(f"{out}/model.bin", b"")


if __name__ == "__main__":
    main()
