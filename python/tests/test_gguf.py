"""GGUF files written by the `gguf` package, read by lowbit.read_gguf:
the dequantized weights equal gguf.quants.dequantize."""

import importlib.util
import os

import numpy as np
import pytest

import lowbit

gguf = pytest.importorskip("gguf")
T = gguf.GGMLQuantizationType

# Byte offsets of each block's f16 scale fields (ggml-common.h): random raw
# blocks must hold finite values there.
F16_FIELDS = {T.Q4_K: [0, 2], T.Q6_K: [208]}


def ggml_reference():
    """ggml's reference Q4_K quantizer, ported (gguf has none)."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "Import",
                        "GGUF", "Inputs", "ggml_reference.py")
    spec = importlib.util.spec_from_file_location("ggml_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_blocks(rng, qtype, rows, k):
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    data = rng.integers(0, 256, (rows, k // block, size), dtype=np.uint8)
    for offset in F16_FIELDS.get(qtype, []):
        values = (rng.choice([-1.0, 1.0], data.shape[:2])
                  * np.exp2(rng.uniform(-10, 2, data.shape[:2])))
        data[..., offset:offset + 2] = values.astype(np.float16).view(
            np.uint8).reshape(data.shape[:2] + (2,))
    return data.reshape(rows, -1)


def write(path, tensors):
    writer = gguf.GGUFWriter(str(path), "llama")
    for name, (data, qtype) in tensors.items():
        writer.add_tensor(name, data, raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def test_read_gguf_matches_gguf_dequantize(tmp_path, rng):
    tensors = {}
    for qtype in [T.Q4_0, T.Q4_1, T.Q5_0, T.Q8_0]:
        w = rng.standard_normal((4, 256)).astype(np.float32)
        tensors[f"blk.0.{qtype.name.lower()}.weight"] = (
            gguf.quants.quantize(w, qtype), qtype)
    # Q4_K from ggml's reference quantizer on real data; random raw blocks of
    # Q4_K and Q6_K reach every bit of the block layouts.
    w = rng.standard_normal((4, 512)).astype(np.float32)
    q4k = ggml_reference().quantize_q4_k(w)
    # A real quantizer: Q4_K's error on normal data is about 7 %.
    err = np.linalg.norm(gguf.quants.dequantize(q4k, T.Q4_K) - w) / np.linalg.norm(w)
    assert 0 < err < 0.1, err
    tensors["blk.0.q4_k.weight"] = (q4k, T.Q4_K)
    for qtype in [T.Q4_K, T.Q6_K]:
        tensors[f"blk.1.{qtype.name.lower()}.weight"] = (
            random_blocks(rng, qtype, 3, 256), qtype)
    path = tmp_path / "model.gguf"
    write(path, tensors)
    linears = lowbit.read_gguf(str(path))
    assert sorted(q.name for q in linears) == sorted(tensors)
    for q in linears:
        data, qtype = tensors[q.name]
        ref = gguf.quants.dequantize(data, qtype)
        assert (q.n, q.k) == ref.shape, q.name
        ours = lowbit.dequantize(q).astype(np.float32)
        np.testing.assert_array_equal(ours, ref, err_msg=q.name)


def test_read_gguf_errors(tmp_path):
    with pytest.raises(ValueError, match="nothing.gguf"):
        lowbit.read_gguf(str(tmp_path / "nothing.gguf"))
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 8)
    with pytest.raises(ValueError, match="bad.gguf"):
        lowbit.read_gguf(str(bad))
