#!/usr/bin/env python3
"""Prints one MLIR module with a lowbit.matmul kernel per format and zero mode.

Usage: all_formats.py [--part=I/P] [--list] [--lut]

Every weight format of lowbit (int1..int8, uint1..uint8, the float codes,
nf4, ternary, mxfp4, nvfp4) with every zero mode that applies to it (none;
int for int/uint formats; float for all but mxfp4 and nvfp4; asym_fp for
signed formats but int1), in the scheduled-input form that
`lowbit-opt --lowbit-gpu-pipeline` packs: f16 activations, N = 64, K = 256,
groups of 128 (32 for mxfp4, 16 for nvfp4). A few extra kernels cover bf16
activations, f32 and bf16 scales, f32 outputs, bias, an epilogue with
operands and a K large enough for split K.

With --lut: the formats the lut strategy takes (int1..int8, uint1..uint8,
ternary) with every zero mode, plus bf16 activations, other scale and output
types, bias, an epilogue, split K and an odd shape (N = 100: a short last
tile of 4 rows; K = 4160 in groups of 64), for --lowbit-gpu-pipeline=
"strategy=lut".

One function per kernel, named <format>_<zero>[_<variant>] (ending in _bf16
exactly when the activations are bf16), so that a compile log
names the culprit. --part=I/P prints only every P-th function starting at the
I-th (1-based), so that lit can compile the parts in parallel.
"""

import argparse
import sys

N, K = 64, 256

FLOATS = {
    # name: MLIR element type (lowbit-bench's weightTypeName spelling)
    "e2m1": "f4E2M1FN",
    "e3m2": "f6E3M2FN",
    "e2m3": "f6E2M3FN",
    "e4m3": "f8E4M3FN",
    "e5m2": "f8E5M2",
    "e3m0": "!lowbit.float<e3m0, finite, bias = 3>",
    "e2m2": "!lowbit.float<e2m2, finite, bias = 1>",
    "e1m2": "!lowbit.float<e1m2, finite, bias = 0>",
    "e3m4": "!lowbit.float<e3m4, ieee, bias = 3>",
    "e2m0": "!lowbit.float<e2m0, finite, bias = 1>",
}


def weight_type(fmt: str) -> str:
    if fmt.startswith("uint"):
        return "ui" + fmt[4:]
    if fmt.startswith("int"):
        return "si" + fmt[3:]
    if fmt == "nf4":
        return "!lowbit.codebook<nf4>"
    if fmt == "ternary":
        return "!lowbit.ternary"
    if fmt in ("mxfp4", "nvfp4"):
        return "f4E2M1FN"
    return FLOATS[fmt]


ALL_FORMATS = ([f"int{b}" for b in range(1, 9)] +
               [f"uint{b}" for b in range(1, 9)] + list(FLOATS) +
               ["nf4", "ternary", "mxfp4", "nvfp4"])


def zero_modes(fmt: str) -> list:
    if fmt in ("mxfp4", "nvfp4"):
        return ["none"]
    integer = fmt.startswith("int") or fmt.startswith("uint")
    modes = ["none"]
    if integer:
        modes.append("int")
    modes.append("float")
    if not fmt.startswith("uint") and fmt != "int1":
        modes.append("asym_fp")
    return modes


def tensor(*dims_and_type) -> str:
    *dims, elem = dims_and_type
    return "tensor<" + "".join(f"{d}x" for d in dims) + elem + ">"


def kernel(name: str, fmt: str, zero: str, act: str = "f16",
           scale: str = None, out: str = None, m: int = 16, n: int = N,
           k: int = K, bias: bool = False, epilogue: bool = False,
           group: int = 0) -> str:
    """One func.func holding one lowbit.matmul."""
    out = out or act
    group = group or {"mxfp4": 32, "nvfp4": 16}.get(fmt, 128)
    if scale is None:
        scale = {"mxfp4": "f8E8M0FNU", "nvfp4": "f8E4M3FN"}.get(fmt, act)
    groups = k // group
    x, y = tensor(m, k, act), tensor(m, n, out)
    q, s = tensor(n, k, weight_type(fmt)), tensor(n, groups, scale)
    args = [f"%x: {x}", f"%q: {q}", f"%s: {s}"]
    operands, types = "%x, %q, %s", [x, q, s]
    scheme = f"group = [1, {group}], scale = {scale}"
    if zero in ("int", "float"):
        z = tensor(n, groups, "i32" if zero == "int" else scale)
        args.append(f"%z: {z}")
        operands += " zeros %z"
        types.append(z)
        scheme += f", zero = {zero}"
    elif zero == "asym_fp":
        args.append(f"%sn: {s}")
        operands += " neg_scales %sn"
        types.append(s)
        scheme += ", zero = asym_fp"
    if fmt == "nvfp4":
        args.append("%t: tensor<f32>")
        operands += " tensor_scale %t"
        types.append("tensor<f32>")
        scheme += ", tensor_scale = f32"
    if bias:
        b = tensor(n, out)
        args.append(f"%b: {b}")
        operands += " bias %b"
        types.append(b)
    region = ""
    if epilogue:
        # SiLU(acc + e0[n]) * e1[m, n] + acc, truncated to the output type.
        e0, e1 = tensor(n, "f16"), tensor(m, n, "f32")
        args += [f"%e0: {e0}", f"%e1: {e1}"]
        types += [e0, e1]
        trunc = ("" if out == "f32" else
                 f"      %r = arith.truncf %v : f32 to {out}\n")
        result = "%v" if out == "f32" else "%r"
        region = (f" epilogue(%e0, %e1 : {e0}, {e1}) {{\n"
                  "    ^bb0(%acc: f32, %b0: f16, %r1: f32):\n"
                  "      %bw = arith.extf %b0 : f16 to f32\n"
                  "      %h = arith.addf %acc, %bw : f32\n"
                  "      %neg = arith.negf %h : f32\n"
                  "      %exp = math.exp %neg : f32\n"
                  "      %one = arith.constant 1.0 : f32\n"
                  "      %den = arith.addf %one, %exp : f32\n"
                  "      %silu = arith.divf %h, %den : f32\n"
                  "      %v = arith.mulf %silu, %r1 : f32\n" + trunc +
                  f"      lowbit.yield {result} : {out}\n"
                  "  }")
    return (f"func.func @{name}({', '.join(args)}) -> {y} {{\n"
            f"  %y = lowbit.matmul {operands} scheme <{scheme}> transpose_b"
            f"{region}\n"
            f"      : ({', '.join(types)}) -> {y}\n"
            f"  return %y : {y}\n"
            "}\n")


def all_kernels() -> list:
    kernels = []
    for fmt in ALL_FORMATS:
        for zero in zero_modes(fmt):
            kernels.append(kernel(f"{fmt}_{zero}", fmt, zero))
    # bf16 activations through each decode family (magic, float-bits,
    # table) and zero mode; other scale and output types; bias, an epilogue
    # with operands, and split K.
    kernels += [
        kernel("int4_none_bf16", "int4", "none", act="bf16"),
        kernel("uint4_int_bf16", "uint4", "int", act="bf16"),
        kernel("int8_asym_fp_bf16", "int8", "asym_fp", act="bf16"),
        kernel("uint8_none_bf16", "uint8", "none", act="bf16"),
        kernel("e4m3_float_bf16", "e4m3", "float", act="bf16"),
        kernel("e5m2_none_bf16", "e5m2", "none", act="bf16"),
        kernel("nf4_asym_fp_bf16", "nf4", "asym_fp", act="bf16"),
        kernel("mxfp4_none_bf16", "mxfp4", "none", act="bf16"),
        kernel("nvfp4_none_bf16", "nvfp4", "none", act="bf16"),
        kernel("int4_none_f32scale_f32out", "int4", "none", scale="f32",
               out="f32"),
        kernel("e2m1_none_scalebf16", "e2m1", "none", scale="bf16"),
        kernel("int3_float_bias", "int3", "float", bias=True),
        kernel("int4_none_epilogue", "int4", "none", bias=True, epilogue=True),
        kernel("e2m1_none_epilogue_bf16", "e2m1", "none", act="bf16",
               epilogue=True),
        kernel("int4_none_splitk", "int4", "none", k=8192),
        kernel("int5_int_splitk", "int5", "int", k=8192),
    ]
    return kernels


LUT_FORMATS = ([f"int{b}" for b in range(1, 9)] +
               [f"uint{b}" for b in range(1, 9)] + ["ternary"])


def lut_kernels() -> list:
    kernels = []
    for fmt in LUT_FORMATS:
        for zero in zero_modes(fmt):
            kernels.append(kernel(f"{fmt}_{zero}", fmt, zero))
    kernels += [
        kernel("int4_none_bf16", "int4", "none", act="bf16"),
        kernel("uint2_int_bf16", "uint2", "int", act="bf16"),
        kernel("int3_asym_fp_bf16", "int3", "asym_fp", act="bf16"),
        kernel("ternary_asym_fp_bf16", "ternary", "asym_fp", act="bf16"),
        kernel("int4_none_f32scale_f32out", "int4", "none", scale="f32",
               out="f32"),
        kernel("int2_float_bias", "int2", "float", bias=True),
        kernel("int4_none_epilogue", "int4", "none", bias=True, epilogue=True),
        kernel("int2_none_splitk", "int2", "none", k=8192),
        kernel("int3_int_odd", "int3", "int", n=100, k=4160, group=64),
    ]
    return kernels


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", default="1/1")
    parser.add_argument("--list", action="store_true",
                        help="print the function names only")
    parser.add_argument("--lut", action="store_true",
                        help="the lut strategy's formats and variants")
    args = parser.parse_args()
    index, parts = (int(v) for v in args.part.split("/"))
    if not 1 <= index <= parts:
        parser.error("--part=I/P needs 1 <= I <= P")
    kernels = lut_kernels() if args.lut else all_kernels()
    chosen = kernels[index - 1::parts]
    if args.list:
        for text in chosen:
            print(text.split("(", 1)[0].split("@", 1)[1])
        return 0
    sys.stdout.write("\n".join(chosen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
