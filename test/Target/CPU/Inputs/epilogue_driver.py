#!/usr/bin/env python3
"""Runs the kernels of epilogue-kernels.mlir and checks them against float64.

Usage: epilogue_driver.py KERNELS.cpp --isa=ISA [--seed=N] [--cxx=g++]
       [--compile-only]

Compiles the emitted source (with the flags its header names) into a shared
library, calls every kernel through the ABI of docs/cpu-kernels.md with fresh
random inputs (epilogue operands through the trailing `epilogueOperands`
array), and compares each output element with the matmul and the epilogue
restated here in float64. Weights are si4 codes with f16 group scales, packed
here by the lane layout. Needs only the standard library (no numpy). Prints
one line per kernel and row count and a final `N passed, M failed` line; the
seed is printed first, so a failure can be replayed with --seed.
"""

import argparse
import array
import ctypes
import math
import os
import random
import re
import struct
import subprocess
import sys
import tempfile

GROUP = 64
BITS = 4


def round_f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def f16_bits(v):
    return struct.unpack("<H", struct.pack("<e", v))[0]


def f16_value(bits):
    return struct.unpack("<e", struct.pack("<H", bits))[0]


def bf16_bits(v):
    # Round to nearest even from the f32 bits (inputs here are finite).
    b = struct.unpack("<I", struct.pack("<f", v))[0]
    return (b + 0x7FFF + ((b >> 16) & 1)) >> 16


def bf16_value(bits):
    return struct.unpack("<f", struct.pack("<I", bits << 16))[0]


# Per element type: array typecode, value -> stored element, stored -> value,
# and one ulp as (relative to the value, absolute for subnormals).
TYPES = {
    "f32": ("f", round_f32, float, (2.0**-23, 2.0**-149)),
    "f16": ("H", f16_bits, f16_value, (2.0**-10, 2.0**-24)),
    "bf16": ("H", bf16_bits, bf16_value, (2.0**-7, 2.0**-133)),
    "i1": ("B", int, bool, None),
    "i8": ("b", int, int, None),
}


def silu(acc):
    return acc / (1.0 + math.exp(-acc))


def gelu_tanh(h):
    return 0.5 * h * (1.0 + math.tanh(0.7978845608 * (h + 0.044715 * h**3)))


def gelu_erf(h):
    return 0.5 * h * (1.0 + math.erf(h / math.sqrt(2.0)))


def int_factor_mix(acc, factor, res):
    b = acc * factor + res
    return math.copysign((abs(b) + 1.0)**1.25 - 1.0, b) if factor > 0 else 2.0**-abs(b)


def masked_leaky(acc, keep, res):
    s = acc + res
    return 0.1 * s if keep and s < 0 else s


# name: activation, output, N, K, matmul bias, epilogue operands as
# (element type, "n" or "mn", value range), the epilogue in float64, the
# relative error of the epilogue's own roundings to f16 or bf16 (besides the
# output's) with respect to the magnitudes involved, and a bound on how much
# the epilogue amplifies errors of the accumulator (1 when omitted).
KERNELS = {
    "silu_bias": dict(act="f32", out="f32", n=19, k=128, bias=True,
                      operands=[], epilogue=silu, rounding=0.0),
    "gelu_tanh_f16": dict(act="f16", out="f16", n=24, k=192, bias=False,
                          operands=[("f16", "n", (-1.0, 1.0))],
                          epilogue=lambda acc, b: gelu_tanh(acc + b),
                          rounding=0.0),
    "gelu_erf_residual": dict(act="bf16", out="f32", n=21, k=128, bias=False,
                              operands=[("bf16", "n", (0.5, 2.0)),
                                        ("f32", "mn", (-1.0, 1.0))],
                              epilogue=lambda acc, s, r: gelu_erf(acc * s) + r,
                              rounding=0.0),
    "masked_leaky_f16": dict(act="f32", out="f16", n=19, k=128, bias=False,
                             operands=[("i1", "n", (0, 1)),
                                       ("f16", "mn", (-1.0, 1.0))],
                             epilogue=masked_leaky, rounding=3 * 2.0**-11),
    "rsqrt_clamp_bf16": dict(act="f32", out="bf16", n=19, k=128, bias=False,
                             operands=[("f32", "n", (0.25, 1.0))],
                             epilogue=lambda acc, ms: min(max(acc / math.sqrt(ms), -1.5), 1.5),
                             rounding=0.0, gain=2.0),
    "int_factor_mix": dict(act="f32", out="f32", n=19, k=128, bias=False,
                           operands=[("i8", "n", (-3, 3)),
                                     ("f32", "mn", (-1.0, 1.0))],
                           epilogue=int_factor_mix, rounding=0.0, gain=8.0),
}


def typed(kind, values):
    code, store, _, _ = TYPES[kind]
    return array.array(code, [store(v) for v in values])


def loaded(kind, values):
    _, store, load, _ = TYPES[kind]
    return [load(store(v)) for v in values]


def pack_lanes(codes, n, k, lanes):
    """Packs rows of signed BITS-bit codes: element j of each period of
    lanes * c goes to word j % lanes at bit BITS * (j / lanes), c = 32 / BITS."""
    per_word = 32 // BITS
    period = lanes * per_word
    words_per_row = (k + period - 1) // period * lanes
    words = [0] * (n * words_per_row)
    for row in range(n):
        for j in range(k):
            p, q = divmod(j, period)
            word = row * words_per_row + p * lanes + q % lanes
            words[word] |= (codes[row * k + j] & ((1 << BITS) - 1)) << (BITS * (q // lanes))
    return array.array("I", words)


def draw_inputs(spec, m, rng, scale=None):
    """Fresh random operands of one call: activations, si4 codes, f16 group
    scales (`scale(rng)` draws one when given), the bias and the epilogue
    operands, each as the values the kernel sees."""
    n, k = spec["n"], spec["k"]
    scale = scale or (lambda r: r.uniform(0.01, 0.04))
    inputs = dict(
        x=loaded(spec["act"], [rng.uniform(-1, 1) for _ in range(m * k)]),
        codes=[rng.randint(-8, 7) for _ in range(n * k)],
        scales=loaded("f16", [scale(rng) for _ in range(n * k // GROUP)]),
        bias=(loaded(spec["out"], [rng.uniform(-1, 1) for _ in range(n)])
              if spec["bias"] else None),
        operands=[])
    for kind, shape, (lo, hi) in spec["operands"]:
        count = n if shape == "n" else m * n
        if kind in ("i1", "i8"):
            values = [rng.randint(lo, hi) for _ in range(count)]
        else:
            values = [rng.uniform(lo, hi) for _ in range(count)]
        inputs["operands"].append((kind, shape, loaded(kind, values)))
    return inputs


def check_outputs(spec, m, inputs, y, accumulation=2.0**-17):
    """Compares the kernel's output `y` (stored elements) with the matmul and
    the epilogue in float64. `accumulation` bounds the error of the kernel's
    f32 accumulation relative to the sum of the products' magnitudes.
    Returns (the first mismatch or None, the worst error as a fraction of
    its tolerance)."""
    n, k = spec["n"], spec["k"]
    x, codes, scales = inputs["x"], inputs["codes"], inputs["scales"]
    bias, operands = inputs["bias"], inputs["operands"]
    load_out = TYPES[spec["out"]][2]
    out_ulp, out_subnormal_ulp = TYPES[spec["out"]][3]
    worst = 0.0
    for i in range(m):
        for j in range(n):
            products = [x[i * k + t] * codes[j * k + t] * scales[(j * k + t) // GROUP]
                        for t in range(k)]
            acc = math.fsum(products) + (bias[j] if bias is not None else 0.0)
            magnitude = math.fsum(abs(p) for p in products) + (abs(bias[j]) if bias else 0.0)
            args = []
            for kind, shape, values in operands:
                value = values[j] if shape == "n" else values[i * n + j]
                args.append(value)
                magnitude += abs(value)
            expected = spec["epilogue"](acc, *args)
            got = load_out(y[i * n + j])
            # Rounding the output costs half an ulp of it (one is allowed, for
            # values near a rounding boundary); the epilogue's own roundings,
            # f32 accumulation and libm cost fractions of the magnitudes
            # involved.
            tolerance = (out_ulp * abs(expected) + out_subnormal_ulp
                         + (spec["rounding"] + spec.get("gain", 1.0) * accumulation)
                         * magnitude)
            if not math.isfinite(got) or abs(got - expected) > tolerance:
                return (f"y[{i}, {j}] = {got!r}, expected {expected!r} "
                        f"(tolerance {tolerance:.3g})"), worst
            worst = max(worst, abs(got - expected) / max(tolerance, 1e-30))
    return None, worst


def address(buffer):
    return buffer.buffer_info()[0]


def run_kernel(lib, name, spec, m, lanes, rng):
    n, k = spec["n"], spec["k"]
    inputs = draw_inputs(spec, m, rng)
    bias = inputs["bias"]
    buffers = [typed(spec["act"], inputs["x"]),
               pack_lanes(inputs["codes"], n, k, lanes),
               typed("f16", inputs["scales"])]
    if bias is not None:
        buffers.append(typed(spec["out"], bias))
    y = array.array(TYPES[spec["out"]][0], [0] * (m * n))
    operand_buffers = [typed(kind, values)
                       for kind, _, values in inputs["operands"]]
    pointers = (ctypes.c_void_p * max(len(operand_buffers), 1))(
        *[address(b) for b in operand_buffers])

    fn = getattr(lib, name)
    fn.restype = None
    fn.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p,
                   ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                   ctypes.c_float, ctypes.c_void_p, ctypes.c_void_p,
                   ctypes.c_int, ctypes.c_void_p]
    fn(address(buffers[0]), m, address(buffers[1]), address(buffers[2]), None,
       None, 1.0, address(buffers[3]) if bias is not None else None,
       address(y), 2, ctypes.cast(pointers, ctypes.c_void_p))
    return check_outputs(spec, m, inputs, y)


# With --simde=DIR the AVX-512 kernels are compiled for this CPU's AVX2 with
# SIMDe's portable intrinsics standing in, with the prelude that
# `lowbit-bench --emulate-isa` inserts (tools/lowbit-bench/SimdePrelude.inc,
# a C++ raw string literal).
def simde_prelude():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                        "..", "..", "tools", "lowbit-bench", "SimdePrelude.inc")
    with open(path) as f:
        text = f.read()
    match = re.search(r'^R"prelude\((.*)\)prelude"$', text, re.S | re.M)
    if not match:
        sys.exit(f"{path}: no R\"prelude(...)prelude\" literal")
    return match.group(1)


def compile_kernels(source, cxx, directory, simde=None):
    with open(source) as f:
        text = f.read()
    flags = re.search(r"compile with ([^)]*)\)", text[:4096])
    if not flags:
        sys.exit(f"{source}: no 'compile with ...' flags in the header")
    flags = flags.group(1).split()
    if simde:
        include = "#include <immintrin.h>\n"
        if include not in text:
            sys.exit(f"{source}: no {include.strip()} for --simde")
        text = text.replace(include, include + simde_prelude(), 1)
        source = os.path.join(directory, "kernels-simde.cpp")
        with open(source, "w") as f:
            f.write(text)
        flags = ["-mavx2", "-mfma", "-mf16c", "-isystem", simde, "-Wno-psabi"]
    library = os.path.join(directory, "kernels.so")
    command = [cxx, "-std=c++17", *flags, "-shared", "-fPIC",
               "-o", library, source]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(" ".join(command) + " failed:\n" + proc.stderr)
    return library


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("--isa", required=True, choices=["scalar", "avx2", "avx512"])
    parser.add_argument("--seed", type=int, default=0, help="0: fresh")
    parser.add_argument("--cxx", default=os.environ.get("CXX", "g++"))
    parser.add_argument("--compile-only", action="store_true",
                        help="stop after compiling (for ISAs this CPU lacks)")
    parser.add_argument("--simde", default=None, metavar="DIR",
                        help="run x86 kernels with SIMDe's intrinsics from "
                             "DIR (for ISAs this CPU lacks)")
    args = parser.parse_args()
    if args.compile_only:
        # Loading runs none of the kernels' code, whatever the CPU.
        with tempfile.TemporaryDirectory() as directory:
            lib = ctypes.CDLL(compile_kernels(args.source, args.cxx, directory))
            found = [name for name in KERNELS if hasattr(lib, name)]
        print(f"compiled {len(found)} kernels")
        return 0 if len(found) == len(KERNELS) else 1
    seed = args.seed or random.SystemRandom().randrange(1, 2**31)
    print(f"seed {seed}")
    lanes = 8 if args.isa == "avx2" else 16
    passed = failed = 0
    with tempfile.TemporaryDirectory() as directory:
        lib = ctypes.CDLL(
            compile_kernels(args.source, args.cxx, directory, args.simde))
        for name, spec in KERNELS.items():
            for m in (9, 5, 2):  # 9: the vector kernels' panel path
                rng = random.Random(f"{seed}/{name}/{m}")
                error, worst = run_kernel(lib, name, spec, m, lanes, rng)
                if error:
                    failed += 1
                    print(f"FAIL {name} m={m} isa={args.isa} seed={seed}: {error}")
                else:
                    passed += 1
                    print(f"ok {name} m={m} isa={args.isa} "
                          f"(worst error {worst:.2f} of the tolerance)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
