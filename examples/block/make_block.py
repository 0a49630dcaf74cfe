#!/usr/bin/env python3
"""Writes the bundled example model: the linear layers of one LLaMA-style
transformer block with random weights, quantized the way common checkpoints
are, as a lowbit module that lowbit-compile takes.

Usage: make_block.py [--dim 256] [--ffn 768] [--seed 0] -o block.mlir

Functions (one per part of the block, single decode token, f32 activations
by default):
  @attn_qkv(x)        -> q, k, v   three [dim, dim] projections, int4
                                   symmetric, groups of 128, f16 scales
  @attn_out(a, x)     -> o_proj(a) + x   int4 as above, the residual add
                                   fused into the kernel's epilogue
  @mlp(h)             -> down(silu(gate(h)) * up(h)) + h
                       gate, up: [ffn, dim] uint4 with integer zero points,
                       groups of 64, f16 scales (GPTQ/AWQ style); down:
                       [dim, ffn] int8 symmetric, groups of 128, bf16 scales.
                       SiLU, the product and the residual fuse into the
                       kernels' epilogues.

Weights are N(0, 0.02) draws from the seeded generator, quantized with
absmax (symmetric) or min/max (asymmetric) per group; codes are stored as
plain bit-stream i32 words and unpacked in the IR, so lowbit-compile repacks
them for the target at compile time. The same seed writes the same file.
"""

import argparse
import sys

import numpy as np

# The activation and result type, set from --act.
ACT = ["f32"]


def hex_dense(array: np.ndarray) -> str:
    return 'dense<"0x' + array.tobytes().hex().upper() + '">'


def pack_bitstream(codes: np.ndarray, bits: int) -> np.ndarray:
    """[N, K] codes -> [N, K * bits / 32] little-endian bit-stream words."""
    n, k = codes.shape
    assert (k * bits) % 32 == 0
    words = np.zeros((n, k * bits // 32), dtype=np.uint64)
    per_word = 32 // bits
    for j in range(k):
        words[:, j // per_word] |= codes[:, j].astype(np.uint64) << np.uint64((j % per_word) * bits)
    return words.astype(np.uint32).view(np.int32)


def to_bf16(values: np.ndarray) -> np.ndarray:
    """float32 -> bf16 bits (round to nearest even) as uint16."""
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def from_bf16(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint32) << 16).view(np.float32)


class Layer:
    """One quantized weight: IR text for its constants and dequantize."""

    def __init__(self, name, n, k, weights, bits, signed, group, scale_type, zero):
        self.name, self.n, self.k, self.group = name, n, k, group
        self.bits, self.signed, self.scale_type, self.zero = bits, signed, scale_type, zero
        grouped = weights.reshape(n, k // group, group)
        if zero == "int":
            lo, hi = grouped.min(axis=2), grouped.max(axis=2)
            levels = (1 << bits) - 1
            scales = self.round_scale(np.maximum(hi - lo, 1e-8) / levels)
            zeros = np.clip(np.rint(-lo / scales), 0, levels)
            codes = np.clip(np.rint(grouped / scales[:, :, None]) + zeros[:, :, None], 0, levels)
            self.zeros = zeros.astype(np.int64)
        else:
            top = (1 << (bits - 1)) - 1
            scales = self.round_scale(np.maximum(np.abs(grouped).max(axis=2), 1e-8) / top)
            codes = np.clip(np.rint(grouped / scales[:, :, None]), -top - 1, top)
            self.zeros = None
        self.scales = scales
        codes = codes.reshape(n, k).astype(np.int64)
        self.codes = codes & ((1 << bits) - 1)  # two's complement bit patterns

    def round_scale(self, values):
        if self.scale_type == "f16":
            return values.astype(np.float16).astype(np.float32)
        if self.scale_type == "bf16":
            return from_bf16(to_bf16(values))
        return values.astype(np.float32)

    def element(self):
        return ("si" if self.signed else "ui") + str(self.bits)

    def ir(self, indent="  "):
        n, k, groups = self.n, self.k, self.k // self.group
        words = pack_bitstream(self.codes, self.bits)
        elem = self.element()
        if self.scale_type == "f16":
            scale_attr = hex_dense(self.scales.astype(np.float16))
        elif self.scale_type == "bf16":
            scale_attr = hex_dense(to_bf16(self.scales))
        else:
            scale_attr = hex_dense(self.scales.astype(np.float32))
        st = self.scale_type
        lines = [
            f"%{self.name}_w = arith.constant {hex_dense(words)} : tensor<{n}x{words.shape[1]}xi32>",
            f"%{self.name}_q = lowbit.unpack %{self.name}_w layout <bits = {self.bits}, word = 32>"
            f" : tensor<{n}x{words.shape[1]}xi32> -> tensor<{n}x{k}x{elem}>",
            f"%{self.name}_s = arith.constant {scale_attr} : tensor<{n}x{groups}x{st}>",
        ]
        scheme = f"scheme <group = [1, {self.group}], scale = {st}"
        if self.zeros is not None:
            rows = ", ".join("[" + ", ".join(str(int(v)) for v in row) + "]" for row in self.zeros)
            ztype = f"tensor<{n}x{groups}xui{self.bits}>"
            lines.append(f"%{self.name}_z = arith.constant dense<[{rows}]> : {ztype}")
            lines.append(
                f"%{self.name}_d = lowbit.dequantize %{self.name}_q, %{self.name}_s zeros %{self.name}_z"
                f" {scheme}, zero = int> : (tensor<{n}x{k}x{elem}>, tensor<{n}x{groups}x{st}>, {ztype})"
                f" -> tensor<{n}x{k}x{ACT[0]}>")
        else:
            lines.append(
                f"%{self.name}_d = lowbit.dequantize %{self.name}_q, %{self.name}_s {scheme}>"
                f" : (tensor<{n}x{k}x{elem}>, tensor<{n}x{groups}x{st}>) -> tensor<{n}x{k}x{ACT[0]}>")
        return "\n".join(indent + line for line in lines) + "\n"


def matmul(out, x, layer, m, indent="  "):
    """%out = x . dequant(W)^T as a transposed-weight linalg.matmul."""
    n, k = layer.n, layer.k
    return (
        f"{indent}%{out}_e = tensor.empty() : tensor<{m}x{n}x{ACT[0]}>\n"
        f"{indent}%{out}_f = linalg.fill ins(%zero : {ACT[0]}) outs(%{out}_e : tensor<{m}x{n}x{ACT[0]}>)"
        f" -> tensor<{m}x{n}x{ACT[0]}>\n"
        f"{indent}%{out} = linalg.matmul\n"
        f"{indent}    indexing_maps = [affine_map<(m, n, k) -> (m, k)>,\n"
        f"{indent}                     affine_map<(m, n, k) -> (n, k)>,\n"
        f"{indent}                     affine_map<(m, n, k) -> (m, n)>]\n"
        f"{indent}    ins(%{x}, %{layer.name}_d : tensor<{m}x{k}x{ACT[0]}>, tensor<{n}x{k}x{ACT[0]}>)\n"
        f"{indent}    outs(%{out}_f : tensor<{m}x{n}x{ACT[0]}>) -> tensor<{m}x{n}x{ACT[0]}>\n")


def elementwise(out, inputs, m, n, body, indent="  "):
    """%out = a linalg.generic over [m, n] of `inputs` with a scalar body."""
    maps = ", ".join(["affine_map<(m, n) -> (m, n)>"] * (len(inputs) + 1))
    ins = ", ".join(f"%{i}" for i in inputs)
    types = ", ".join([f"tensor<{m}x{n}x{ACT[0]}>"] * len(inputs))
    args = ", ".join(f"%{i}_v: {ACT[0]}" for i in inputs)
    text = (
        f"{indent}%{out}_e = tensor.empty() : tensor<{m}x{n}x{ACT[0]}>\n"
        f"{indent}%{out} = linalg.generic {{indexing_maps = [{maps}],\n"
        f"{indent}    iterator_types = [\"parallel\", \"parallel\"]}}\n"
        f"{indent}    ins({ins} : {types}) outs(%{out}_e : tensor<{m}x{n}x{ACT[0]}>) {{\n"
        f"{indent}  ^bb0({args}, %{out}_o: {ACT[0]}):\n")
    for line in body:
        text += f"{indent}    {line}\n"
    return text + f"{indent}}} -> tensor<{m}x{n}x{ACT[0]}>\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--ffn", type=int, default=768)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--act", choices=["f32", "f16", "bf16"], default="f32",
                        help="activation and result type (GPU kernels take f16 or bf16)")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    d, f, m = args.dim, args.ffn, 1
    ACT[0] = a = args.act
    if d % 128 or f % 128:
        sys.exit("make_block.py: --dim and --ffn must be multiples of 128")
    rng = np.random.default_rng(args.seed)

    def weights(n, k):
        return rng.normal(0.0, 0.02, size=(n, k)).astype(np.float32)

    q = Layer("wq", d, d, weights(d, d), 4, True, 128, "f16", "none")
    k = Layer("wk", d, d, weights(d, d), 4, True, 128, "f16", "none")
    v = Layer("wv", d, d, weights(d, d), 4, True, 128, "f16", "none")
    o = Layer("wo", d, d, weights(d, d), 4, True, 128, "f16", "none")
    gate = Layer("wg", f, d, weights(f, d), 4, False, 64, "f16", "int")
    up = Layer("wu", f, d, weights(f, d), 4, False, 64, "f16", "int")
    down = Layer("wd", d, f, weights(d, f), 8, True, 128, "bf16", "none")

    out = [f"// The linear layers of one LLaMA-style transformer block (dim {d}, ffn {f}),\n"
           f"// random weights (seed {args.seed}), {a} activations; written by examples/block/make_block.py.\n\n"]
    t = f"tensor<{m}x{d}x{a}>"
    out.append(f"func.func @attn_qkv(%x: {t}) -> ({t}, {t}, {t}) {{\n"
               f"  %zero = arith.constant 0.0 : {a}\n")
    for layer, name in ((q, "q"), (k, "k"), (v, "v")):
        out.append(layer.ir())
        out.append(matmul(name, "x", layer, m))
    out.append(f"  return %q, %k, %v : {t}, {t}, {t}\n}}\n\n")

    out.append(f"func.func @attn_out(%a: {t}, %x: {t}) -> {t} {{\n"
               f"  %zero = arith.constant 0.0 : {a}\n")
    out.append(o.ir())
    out.append(matmul("o", "a", o, m))
    out.append(elementwise("r", ["o", "x"], m, d, [
        f"%s = arith.addf %o_v, %x_v : {a}", f"linalg.yield %s : {a}"]))
    out.append(f"  return %r : {t}\n}}\n\n")

    out.append(f"func.func @mlp(%h: {t}) -> {t} {{\n"
               f"  %zero = arith.constant 0.0 : {a}\n")
    for layer in (gate, up, down):
        out.append(layer.ir())
    out.append(matmul("g", "h", gate, m))
    out.append(elementwise("a", ["g"], m, f, [
        f"%neg = arith.negf %g_v : {a}", f"%exp = math.exp %neg : {a}",
        f"%one = arith.constant 1.0 : {a}", f"%den = arith.addf %one, %exp : {a}",
        f"%silu = arith.divf %g_v, %den : {a}", f"linalg.yield %silu : {a}"]))
    out.append(matmul("u", "h", up, m))
    out.append(elementwise("p", ["a", "u"], m, f, [
        f"%s = arith.mulf %a_v, %u_v : {a}", f"linalg.yield %s : {a}"]))
    out.append(matmul("y", "p", down, m))
    out.append(elementwise("r", ["y", "h"], m, d, [
        f"%s = arith.addf %y_v, %h_v : {a}", f"linalg.yield %s : {a}"]))
    out.append(f"  return %r : {t}\n}}\n")

    with open(args.output, "w") as handle:
        handle.write("".join(out))


if __name__ == "__main__":
    main()
