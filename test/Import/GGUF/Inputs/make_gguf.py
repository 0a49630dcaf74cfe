#!/usr/bin/env python3
"""Writes GGUF test files with the `gguf` package (PyPI).

Quantized tensors come from gguf's own reference quantizers
(gguf.quants.quantize) on fresh random data where the package implements
the type; Q4_K, which gguf 0.19 cannot quantize, from ggml's reference
quantizer ported to numpy (ggml_reference.py); the other K-quants from
random raw blocks whose f16 scale fields are finite random values, which
exercise every bit of the block layout. Set LOWBIT_TEST_SEED to replay a run; the seed is
printed.

Usage: make_gguf.py {model,small,collide} OUT.gguf
"""

import argparse
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ggml_reference  # noqa: E402

# Byte offsets of the f16 scale fields of each block type (ggml-common.h),
# which random raw blocks must hold finite values in.
F16_FIELDS = {
    T.Q4_0: [0],
    T.Q4_1: [0, 2],
    T.Q5_0: [0],
    T.Q5_1: [0, 2],
    T.Q8_0: [0],
    T.Q2_K: [80, 82],
    T.Q3_K: [108],
    T.Q4_K: [0, 2],
    T.Q5_K: [0, 2],
    T.Q6_K: [208],
    T.TQ1_0: [52],
    T.TQ2_0: [64],
}

# Every type lowbit imports.
IMPORTED = [T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0, T.Q2_K, T.Q3_K, T.Q4_K,
            T.Q5_K, T.Q6_K, T.TQ1_0, T.TQ2_0, T.MXFP4]


def random_f16(rng, count):
    """Finite f16 values of both signs, from subnormals up to 16."""
    magnitude = np.exp2(rng.uniform(-20, 4, count))
    sign = rng.choice([-1.0, 1.0], count)
    return (sign * magnitude).astype(np.float16)


def random_blocks(rng, qtype, rows, k):
    """Random raw blocks of `qtype` for a [rows, k] tensor."""
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    data = rng.integers(0, 256, (rows, k // block, size), dtype=np.uint8)
    if qtype == T.MXFP4:
        # e8m0 code 255 is NaN (ggml: 2^128); tested separately.
        data[..., 0] = rng.integers(0, 255, data.shape[:-1], dtype=np.uint8)
    for offset in F16_FIELDS.get(qtype, []):
        values = random_f16(rng, data.shape[0] * data.shape[1])
        data[..., offset:offset + 2] = values.view(np.uint8).reshape(
            data.shape[:-1] + (2,))
    return data.reshape(rows, -1)


def quantized(rng, qtype, rows, k):
    """(bytes, how) of a [rows, k] tensor: gguf's quantizer if it has one."""
    weights = rng.standard_normal((rows, k)).astype(np.float32)
    try:
        return gguf.quants.quantize(weights, qtype), "reference"
    except NotImplementedError:
        if qtype == T.Q4_K:
            return ggml_reference.quantize_q4_k(weights), "ggml reference"
        return random_blocks(rng, qtype, rows, k), "random"


def add_all_metadata(writer):
    """One key of every metadata value type, arrays included."""
    writer.add_uint8("test.uint8", 200)
    writer.add_int8("test.int8", -100)
    writer.add_uint16("test.uint16", 60000)
    writer.add_int16("test.int16", -30000)
    writer.add_uint32("test.uint32", 4000000000)
    writer.add_int32("test.int32", -2000000000)
    writer.add_float32("test.float32", 0.25)
    writer.add_bool("test.bool", True)
    writer.add_string("test.string", "lowbit \u00e9")
    writer.add_uint64("test.uint64", 2**63 + 5)
    writer.add_int64("test.int64", -(2**62))
    writer.add_float64("test.float64", -1.5)
    writer.add_array("test.ints", [1, 2, 3])
    writer.add_array("test.strings", ["a", "bc", ""])


def write_model(rng, path):
    writer = gguf.GGUFWriter(path, "llama")
    add_all_metadata(writer)
    rows, k = 3, 512
    for qtype in IMPORTED:
        data, how = quantized(rng, qtype, rows, k)
        writer.add_tensor(f"blk.0.{qtype.name.lower()}.weight", data,
                          raw_dtype=qtype)
        print(f"{qtype.name}: {how}")
    # Random blocks of the types gguf can quantize, too: every code, and
    # for TQ2_0 code 3 (ggml: +2), which lowbit imports as uint2.
    for qtype in [T.Q4_0, T.Q8_0, T.TQ2_0, T.MXFP4]:
        writer.add_tensor(f"blk.1.{qtype.name.lower()}.weight",
                          random_blocks(rng, qtype, rows, k), raw_dtype=qtype)
    # Skipped: an MXFP4 scale code 255, unquantized and non-2-D tensors.
    nan_scale = random_blocks(rng, T.MXFP4, 2, 64)
    nan_scale[1, 17] = 255
    writer.add_tensor("blk.2.mxfp4_nan_scale.weight", nan_scale,
                      raw_dtype=T.MXFP4)
    # Skipped too: an inf f16 scale (block 1 of row 0) and a NaN f16 minimum
    # (block 0 of row 0), which dequantize to inf and NaN.
    inf_scale = random_blocks(rng, T.Q4_0, 2, 64)
    inf_scale[0, 18:20] = np.array([np.inf], np.float16).view(np.uint8)
    writer.add_tensor("blk.2.q4_0_inf_scale.weight", inf_scale,
                      raw_dtype=T.Q4_0)
    nan_min = random_blocks(rng, T.Q4_1, 2, 64)
    nan_min[0, 2:4] = np.array([np.nan], np.float16).view(np.uint8)
    writer.add_tensor("blk.2.q4_1_nan_min.weight", nan_min, raw_dtype=T.Q4_1)
    writer.add_tensor("token_embd.weight",
                      rng.standard_normal((4, 32)).astype(np.float16))
    writer.add_tensor("output_norm.weight",
                      rng.standard_normal(32).astype(np.float32))
    writer.add_tensor("blk.0.experts.weight",
                      gguf.quants.quantize(
                          rng.standard_normal((2, 3, 64)).astype(np.float32),
                          T.Q8_0), raw_dtype=T.Q8_0)
    writer.add_tensor("blk.0.iq4_nl.weight", random_blocks(rng, T.IQ4_NL, 2, 64),
                      raw_dtype=T.IQ4_NL)
    finish(writer)


def write_small(rng, path):
    """One Q4_0 weight [2, 32] and one Q8_0 [2, 32] for IR checks."""
    writer = gguf.GGUFWriter(path, "llama")
    for name, qtype in [("blk.0.attn_q.weight", T.Q4_0),
                        ("0.ffn.weight", T.Q8_0)]:
        writer.add_tensor(name, quantized(rng, qtype, 2, 32)[0],
                          raw_dtype=qtype)
    finish(writer)


def write_collide(rng, path):
    """Names that sanitize to the same C identifier."""
    writer = gguf.GGUFWriter(path, "llama")
    for name in ["a.b", "a_b", "a-b"]:
        writer.add_tensor(name, quantized(rng, T.Q8_0, 1, 32)[0],
                          raw_dtype=T.Q8_0)
    finish(writer)


def finish(writer):
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["model", "small", "collide"])
    parser.add_argument("out")
    args = parser.parse_args()
    seed = int(os.environ.get("LOWBIT_TEST_SEED", "0")) or \
        int.from_bytes(os.urandom(4), "little")
    print(f"seed {seed} (set LOWBIT_TEST_SEED={seed} to replay)")
    rng = np.random.default_rng(seed)
    {"model": write_model, "small": write_small,
     "collide": write_collide}[args.kind](rng, args.out)


if __name__ == "__main__":
    sys.exit(main())
