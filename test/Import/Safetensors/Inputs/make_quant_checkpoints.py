#!/usr/bin/env python3
"""Writes GPTQ and AWQ safetensors checkpoints and their expected weights.

Usage: make_quant_checkpoints.py OUT SUITE [--seed N]

SUITE is gptq (format "gptq", bits 2/3/4/8, sym and asym, with and without
act-order), gptq-v2 (format "gptq_v2"), awq (AutoAWQ GEMM, 4-bit) or sharded
(a directory of shards with config.json). Random weights (a fresh seed, printed;
--seed or LOWBIT_TEST_SEED replays one) are quantized the way GPTQ's and AWQ's
quantizers compute scales and zero points, packed by numpy ports of AutoGPTQ's
QuantLinear.pack (GPTQModel's for gptq_v2, which keeps z instead of z - 1) and
AutoAWQ's WQLinear_GEMM.from_linear, and saved with the `safetensors` package.
The expected weights come from numpy ports of the packages' own dequantization
of the packed tensors (AutoGPTQ's QuantLinear.forward fallback, AutoAWQ's
dequantize_gemm), in f16 as they compute it, stored as f16 [N, K] in the
activation order in OUT/<case>/expected.safetensors. OUT/cases.json lists the
cases for check_import.py.

The codes are packed as the quantizer computed them (the packages recompute
them from the dequantized weight, which gives the same codes); what is tested
is the file format, not the quantizer.
"""

import argparse
import json
import os
import sys

try:
    import numpy as np
    from safetensors.numpy import save_file
except ImportError as error:
    sys.exit(f"error: {error}; numpy and safetensors are installed by "
             "scripts/setup.sh")

AWQ_ORDER = [0, 2, 4, 6, 1, 3, 5, 7]
AWQ_REVERSE_ORDER = [0, 4, 1, 5, 2, 6, 3, 7]


# --- Quantizers ------------------------------------------------------------

def gptq_params(x, bits, sym):
    """GPTQ's Quantizer.find_params per row of x [N, G]: scale and zero."""
    maxq = 2**bits - 1
    xmin = np.minimum(x.min(axis=1), 0)
    xmax = np.maximum(x.max(axis=1), 0)
    if sym:
        xmax = np.maximum(np.abs(xmin), xmax)
        xmin = np.where(xmin < 0, -xmax, xmin)
    both_zero = (xmin == 0) & (xmax == 0)
    xmin = np.where(both_zero, -1, xmin)
    xmax = np.where(both_zero, 1, xmax)
    scale = (xmax - xmin) / maxq
    if sym:
        zero = np.full_like(scale, (maxq + 1) / 2)
    else:
        zero = np.round(-xmin / scale)
    return scale.astype(np.float32), zero


def gptq_quantize(w, bits, group, sym, perm):
    """Codes q [K, N], zeros [K/G, N], f16 scales [K/G, N], g_idx [K], with
    inputs quantized in the order perm."""
    n, k = w.shape
    maxq = 2**bits - 1
    g_idx = np.empty(k, dtype=np.int32)
    g_idx[perm] = np.arange(k) // group
    groups = k // group
    scales = np.zeros((groups, n), dtype=np.float32)
    zeros = np.zeros((groups, n), dtype=np.int64)
    for g in range(groups):
        scale, zero = gptq_params(w[:, perm[g * group:(g + 1) * group]], bits,
                                  sym)
        scales[g], zeros[g] = scale, zero
    scale_k, zero_k = scales[g_idx].T, zeros[g_idx].T  # [N, K]
    q = np.clip(np.round(w / scale_k) + zero_k, 0, maxq).astype(np.int64)
    return q.T.copy(), zeros, scales.astype(np.float16), g_idx


def awq_quantize(w, bits, group):
    """AutoAWQ's pseudo_quantize_tensor with zero points: q [K, N],
    zeros [K/G, N], f16 scales [K/G, N]."""
    n, k = w.shape
    max_int = 2**bits - 1
    wg = w.reshape(n, k // group, group)
    max_val, min_val = wg.max(axis=2), wg.min(axis=2)
    scales = np.maximum(max_val - min_val, 1e-5) / max_int
    zeros = np.clip(-np.round(min_val / scales), 0, max_int)
    q = np.clip(np.round(wg / scales[:, :, None]) + zeros[:, :, None], 0,
                max_int)
    return (q.reshape(n, k).T.astype(np.int64).copy(),
            zeros.T.astype(np.int64).copy(), scales.T.astype(np.float16))


# --- Packing (ports of the packages' loops) ----------------------------------

def gptq_pack_rows(values, bits):
    """AutoGPTQ's QuantLinear.pack loop over rows of values [R, C] (uint32):
    32 // bits codes per word for 2/4/8 bits, 32 codes per 3 words for
    3 bits. Returns int32 [R * bits / 32, C]."""
    values = values.astype(np.uint32)
    packed = np.zeros((values.shape[0] // 32 * bits, values.shape[1]),
                      dtype=np.uint32)
    i = row = 0
    while row < packed.shape[0]:
        if bits in (2, 4, 8):
            for j in range(i, i + 32 // bits):
                packed[row] |= values[j] << np.uint32(bits * (j - i))
            i += 32 // bits
            row += 1
        else:
            for j in range(i, i + 10):
                packed[row] |= values[j] << np.uint32(3 * (j - i))
            i += 10
            packed[row] |= values[i] << np.uint32(30)
            row += 1
            packed[row] |= (values[i] >> np.uint32(2)) & np.uint32(1)
            i += 1
            for j in range(i, i + 10):
                packed[row] |= values[j] << np.uint32(3 * (j - i) + 1)
            i += 10
            packed[row] |= values[i] << np.uint32(31)
            row += 1
            packed[row] |= (values[i] >> np.uint32(1)) & np.uint32(0x3)
            i += 1
            for j in range(i, i + 10):
                packed[row] |= values[j] << np.uint32(3 * (j - i) + 2)
            i += 10
            row += 1
    return packed.astype(np.int32)


def gptq_pack(q, zeros, bits, v1):
    """qweight packs q [K, N] along K; qzeros packs zeros [K/G, N] along N
    (the same loop over columns). v1 stores zeros - 1, wrapping to all ones
    below 0 as AutoGPTQ's uint32 arithmetic does."""
    qweight = gptq_pack_rows(q, bits)
    stored = (zeros - 1 if v1 else zeros).astype(np.int64) & 0xFFFFFFFF
    qzeros = gptq_pack_rows(stored.T, bits).T.copy()
    return qweight, qzeros


def awq_pack_columns(values, bits):
    """AutoAWQ's from_linear loop: values [R, C] into int32 [R, C * bits /
    32], slot i of a word holding element AWQ_ORDER[i]."""
    pack_num = 32 // bits
    values = values.astype(np.uint32)
    packed = np.zeros((values.shape[0], values.shape[1] // pack_num),
                      dtype=np.uint32)
    for col in range(values.shape[1] // pack_num):
        for i in range(pack_num):
            packed[:, col] |= values[:, col * pack_num + AWQ_ORDER[i]] << \
                np.uint32(i * bits)
    return packed.astype(np.int32)


# --- Dequantization (ports of the packages' reference paths) -----------------

WF3 = np.array([[0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 0],
                [0, 1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31],
                [0, 2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 0]], dtype=np.int32)


def gptq_unpack_3bit_rows(words):
    """AutoGPTQ's 3-bit unpacking of int32 words [R, C] along R."""
    r, c = words.shape
    w = np.broadcast_to(words.reshape(r // 3, 3, 1, c), (r // 3, 3, 12, c))
    w = (w >> WF3[None, :, :, None]) & 0x7
    w[:, 0, 10] = (w[:, 0, 10] & 0x3) | ((w[:, 1, 0] << 2) & 0x4)
    w[:, 1, 11] = (w[:, 1, 11] & 0x1) | ((w[:, 2, 0] << 1) & 0x6)
    w = w & 0x7
    w = np.concatenate([w[:, 0, :11], w[:, 1, 1:12], w[:, 2, 1:11]], axis=1)
    return w.reshape(-1, c)


def gptq_unpack_rows(words, bits):
    """AutoGPTQ's unpacking of int32 words [R, C] along R into codes."""
    if bits == 3:
        return gptq_unpack_3bit_rows(words)
    wf = np.arange(0, 32, bits, dtype=np.int32)
    small = np.int16 if bits == 8 else np.int8
    w = (words[:, None, :] >> wf[None, :, None]).astype(small)
    w &= 2**bits - 1
    return w.reshape(-1, words.shape[1]).astype(np.int32)


def gptq_dequantize(qweight, qzeros, scales, g_idx, bits, v1):
    """AutoGPTQ's QuantLinear.forward without CUDA: scales[g_idx] *
    (weight - zeros[g_idx]) in f16, [K, N]. gptq_v2 (GPTQModel) does not
    add the 1."""
    weight = gptq_unpack_rows(qweight, bits)
    zeros = gptq_unpack_rows(qzeros.T.copy(), bits).T + (1 if v1 else 0)
    diff = (weight - zeros[g_idx]).astype(np.float16)
    return scales[g_idx] * diff


def awq_dequantize(qweight, qzeros, scales, bits, group):
    """AutoAWQ's dequantize_gemm: (iweight - izeros) * scales in f16."""
    shifts = np.arange(0, 32, bits, dtype=np.int32)

    def unpack(words):
        values = (words[:, :, None] >> shifts[None, None, :]).astype(np.int8)
        return values.reshape(words.shape[0], -1)

    iweight, izeros = unpack(qweight), unpack(qzeros)
    order = np.arange(izeros.shape[-1]).reshape(-1, 32 // bits)
    order = order[:, AWQ_REVERSE_ORDER].reshape(-1)
    iweight = iweight[:, order] & (2**bits - 1)
    izeros = izeros[:, order] & (2**bits - 1)
    scales = np.repeat(scales, group, axis=0)
    izeros = np.repeat(izeros, group, axis=0)
    diff = (iweight.astype(np.int32) - izeros).astype(np.float16)
    return diff * scales


# --- Cases -----------------------------------------------------------------

def random_weights(rng, n, k):
    return rng.standard_normal((n, k)).astype(np.float32) * 0.05


def gptq_layer(rng, prefix, n, k, group, bits, sym, act_order, v1,
               nonnegative_group=False):
    """Tensors of one GPTQ layer and its expected f16 weights [N, K]."""
    w = random_weights(rng, n, k)
    # Act-order quantizes inputs by decreasing Hessian diagonal; a random
    # order stands in for it.
    perm = rng.permutation(k) if act_order else np.arange(k)
    if nonnegative_group:
        # A group whose weights are all >= 0 has z = 0, which the v1 format
        # cannot store: AutoGPTQ's z - 1 wraps to all ones.
        w[0, perm[:group]] = np.abs(w[0, perm[:group]])
    q, zeros, scales, g_idx = gptq_quantize(w, bits, group, sym, perm)
    assert not nonnegative_group or zeros[0, 0] == 0, prefix
    qweight, qzeros = gptq_pack(q, zeros, bits, v1)
    expected = gptq_dequantize(qweight, qzeros, scales, g_idx, bits, v1)
    if not (v1 and (zeros == 0).any()):
        # Without the wrap (v1 cannot store z = 0, which random groups of
        # low-bit asym cases also reach) the packages' result is
        # s * (q - z) itself.
        direct = (scales[g_idx] * (q - zeros[g_idx]).astype(np.float16))
        assert np.array_equal(expected, direct), prefix
    tensors = {f"{prefix}.qweight": qweight, f"{prefix}.qzeros": qzeros,
               f"{prefix}.scales": scales, f"{prefix}.g_idx": g_idx}
    return tensors, expected.T.copy()


def awq_layer(rng, prefix, n, k, group):
    w = random_weights(rng, n, k)
    q, zeros, scales = awq_quantize(w, 4, group)
    qweight = awq_pack_columns(q, 4)
    qzeros = awq_pack_columns(zeros, 4)
    expected = awq_dequantize(qweight, qzeros, scales, 4, group)
    direct = (q - np.repeat(zeros, group, axis=0)).astype(np.float16) * \
        np.repeat(scales, group, axis=0)
    assert np.array_equal(expected, direct), prefix
    tensors = {f"{prefix}.qweight": qweight, f"{prefix}.qzeros": qzeros,
               f"{prefix}.scales": scales}
    return tensors, expected.T.copy()


LAYERS = [  # (name, N, K)
    ("model.layers.0.self_attn.q_proj", 64, 128),
    ("model.layers.0.mlp.down_proj", 96, 256),
]


def unquantized(rng):
    """Tensors a real checkpoint has besides the quantized layers."""
    return {
        "model.embed_tokens.weight": random_weights(rng, 16, 8).astype(
            np.float16),
        "model.layers.0.self_attn.q_proj.bias": np.zeros(64, np.float16),
    }


def contiguous(tensors):
    """safetensors.numpy writes an array's memory as it lies, ignoring
    strides, so transposed views must be copied first."""
    return {name: np.ascontiguousarray(value)
            for name, value in tensors.items()}


class Writer:
    def __init__(self, out):
        self.out = out
        self.cases = []

    def add(self, name, shards, expected, config_name=None, config=None,
            checkpoint="dir"):
        """shards: list of tensor dicts; checkpoint: "dir" or "file"."""
        ckpt = os.path.join(self.out, name, "ckpt")
        os.makedirs(ckpt)
        files = []
        for index, tensors in enumerate(shards):
            file = ("model.safetensors" if len(shards) == 1 else
                    f"model-{index + 1:05d}-of-{len(shards):05d}.safetensors")
            save_file(contiguous(tensors), os.path.join(ckpt, file),
                      metadata={"format": "pt"})
            files.append(file)
        if config_name:
            with open(os.path.join(ckpt, config_name), "w") as f:
                json.dump(config, f, indent=2)
        save_file(contiguous(expected),
                  os.path.join(self.out, name, "expected.safetensors"))
        path = f"{name}/ckpt" if checkpoint == "dir" else \
            f"{name}/ckpt/{files[0]}"
        self.cases.append({"name": name, "checkpoint": path,
                           "expected": f"{name}/expected.safetensors"})


def gptq_case(writer, rng, bits, sym, act_order, v1, group=32,
              minimal_config=False):
    name = (f"gptq{'' if v1 else '-v2'}-b{bits}-{'sym' if sym else 'asym'}"
            f"{'-act' if act_order else ''}{'-g' + str(group) if group != 32 else ''}")
    tensors, expected = unquantized(rng), {}
    for index, (prefix, n, k) in enumerate(LAYERS):
        layer_group = k if group == -1 else group
        layer, weights = gptq_layer(
            rng, prefix, n, k, layer_group, bits, sym, act_order, v1,
            nonnegative_group=(v1 and not sym and index == 0))
        tensors.update(layer)
        expected[prefix] = weights
    config = {"bits": bits, "group_size": group, "desc_act": act_order,
              "sym": sym, "true_sequential": True, "quant_method": "gptq",
              "checkpoint_format": "gptq" if v1 else "gptq_v2"}
    if minimal_config:
        # Bit width and group size then follow from the shapes alone.
        config = {"checkpoint_format": config["checkpoint_format"]}
    writer.add(name, [tensors], expected, "quantize_config.json", config)


def suite_gptq(writer, rng):
    for bits in (2, 3, 4, 8):
        for sym in (False, True):
            for act_order in (False, True):
                gptq_case(writer, rng, bits, sym, act_order, v1=True)
    gptq_case(writer, rng, 4, False, False, v1=True, group=-1)
    gptq_case(writer, rng, 3, False, True, v1=True, group=64)


def suite_gptq_v2(writer, rng):
    for bits in (2, 3, 4, 8):
        for act_order in (False, True):
            gptq_case(writer, rng, bits, False, act_order, v1=False)
    gptq_case(writer, rng, 2, True, True, v1=False, group=64,
              minimal_config=True)


def suite_awq(writer, rng):
    for group, config_name, checkpoint in (
            (32, "quant_config.json", "dir"), (64, "config.json", "file"),
            (128, None, "file")):
        tensors, expected = unquantized(rng), {}
        for prefix, n, k in LAYERS:
            layer, weights = awq_layer(rng, prefix, n, k, group)
            tensors.update(layer)
            expected[prefix] = weights
        if config_name == "quant_config.json":
            config = {"zero_point": True, "q_group_size": group, "w_bit": 4,
                      "version": "GEMM"}
        else:
            config = {"model_type": "llama", "quantization_config": {
                "quant_method": "awq", "bits": 4, "group_size": group,
                "zero_point": True, "version": "gemm"}}
        writer.add(f"awq-g{group}-{config_name or 'noconfig'}", [tensors],
                   expected, config_name, config, checkpoint=checkpoint)


def suite_sharded(writer, rng):
    """Three act-order layers over two shards, one layer split between
    them, with transformers' config.json."""
    names = ["model.layers.0.self_attn.k_proj",
             "model.layers.1.self_attn.k_proj",
             "model.layers.2.self_attn.k_proj"]
    first, second, expected = unquantized(rng), {}, {}
    for index, prefix in enumerate(names):
        layer, weights = gptq_layer(rng, prefix, 64, 128, 32, 4, False, True,
                                    v1=True)
        expected[prefix] = weights
        for tensor_name, value in layer.items():
            split = index == 1 and tensor_name.endswith((".scales", ".g_idx"))
            (second if index == 2 or split else first)[tensor_name] = value
    config = {"model_type": "llama", "quantization_config": {
        "quant_method": "gptq", "bits": 4, "group_size": 32,
        "desc_act": True, "sym": False}}
    writer.add("sharded", [first, second], expected, "config.json", config)


SUITES = {"gptq": suite_gptq, "gptq-v2": suite_gptq_v2, "awq": suite_awq,
          "sharded": suite_sharded}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("suite", choices=sorted(SUITES))
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    seed = args.seed
    if seed is None and os.environ.get("LOWBIT_TEST_SEED"):
        seed = int(os.environ["LOWBIT_TEST_SEED"])
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "little")
    print(f"seed {seed} (replay with --seed {seed})")
    rng = np.random.default_rng(seed)
    os.makedirs(args.out, exist_ok=True)
    writer = Writer(args.out)
    SUITES[args.suite](writer, rng)
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"seed": seed, "cases": writer.cases}, f, indent=2)
    for case in writer.cases:
        print(f"wrote {case['name']}")


if __name__ == "__main__":
    main()
