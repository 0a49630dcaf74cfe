"""compile_linear and compile_model: the CPU kernel against a float64 numpy
reference on random data."""

import os
import subprocess
import sys

import numpy as np
import pytest

import lowbit


def relative_error(got, ref):
    return np.linalg.norm(got.astype(np.float64) - ref) / np.linalg.norm(ref)


@pytest.mark.parametrize("fmt,zero", [("int4", "none"), ("uint4", "int"),
                                      ("e2m1", "none"), ("int8", "none")])
def test_compile_linear_matches_reference(fmt, zero, rng, tmp_path, isa):
    n, k, m = 48, 256, 3
    w = rng.standard_normal((n, k))
    q = lowbit.quantize(w, fmt, 64, scale="f16", zero=zero)
    layer = lowbit.compile_linear(q, isa=isa, act="f32",
                                  out_dir=str(tmp_path / "lib"))
    assert (layer.n, layer.k) == (n, k)
    x = rng.standard_normal((m, k)).astype(np.float32)
    y = layer(x)
    assert y.shape == (m, n) and y.dtype == np.float32
    ref = x.astype(np.float64) @ lowbit.dequantize(q).T
    assert relative_error(y, ref) < 1e-5
    assert os.path.exists(tmp_path / "lib" / "manifest.json")


@pytest.mark.parametrize("fmt,zero", [("int4", "none"), ("int3", "float"),
                                      ("uint4", "int"), ("int8", "none")])
def test_compile_linear_extreme_activations(fmt, zero, rng, isa):
    # Integer codes are converted where they lie in the word and the
    # activations stored times powers of two up to 2^±15: rows of magnitude
    # 1e30 and 1e-30 (and a row mixing both) must come out as exact as rows
    # of magnitude 1.
    n, k = 40, 512
    q = lowbit.quantize(rng.standard_normal((n, k)), fmt, 64, scale="f16",
                        zero=zero)
    layer = lowbit.compile_linear(q, isa=isa, act="f32")
    x = rng.standard_normal((4, k))
    x[1] *= 1e30
    x[2] *= 1e-30
    x[3, ::2] *= 1e20
    x = x.astype(np.float32)
    y = layer(x)
    ref = x.astype(np.float64) @ lowbit.dequantize(q).T
    for row in range(4):
        assert np.all(np.isfinite(y[row]))
        assert relative_error(y[row], ref[row]) < 1e-5, row


def test_compile_linear_f16_activations(rng, isa):
    n, k = 16, 128
    q = lowbit.quantize(rng.standard_normal((n, k)), "int4", 32)
    layer = lowbit.compile_linear(q, isa=isa, act="f16")
    x = rng.standard_normal((2, k)).astype(np.float16)
    y = layer(x)
    assert y.dtype == np.float16
    ref = x.astype(np.float64) @ lowbit.dequantize(q).T
    assert relative_error(y, ref) < 2e-3


@pytest.mark.parametrize("fmt,zero", [("int4", "int"), ("int7", "asym-fp"),
                                      ("e4m3", "none")])
def test_compile_linear_bf16_dot(fmt, zero, rng):
    # bf16 dot products: bf16 activations times the weights' values as bf16
    # (exact products), f32 sums; the scalar kernel runs on every CPU, the
    # AVX-512 one needs AVX512-BF16. The output is bf16: within its rounding
    # of the float64 product of the bf16 activations.
    n, k, m = 40, 512, 3
    q = lowbit.quantize(rng.standard_normal((n, k)), fmt, 64, scale="f16",
                        zero=zero)
    isa = "avx512" if "avx512_bf16" in cpu_flags() else "scalar"
    layer = lowbit.compile_linear(q, isa=isa, act="bf16", strategy="bf16-dot")
    assert layer.strategy == "bf16-dot"
    x = rng.standard_normal((m, k)).astype(np.float32)
    y = layer(x)
    xb = lowbit_bf16(x)
    ref = xb.astype(np.float64) @ lowbit.dequantize(q).T
    assert relative_error(y, ref) < 8e-3
    # The strategy takes bf16 activations only.
    with pytest.raises(ValueError, match="multiplies bf16 activations, not "
                                         "f32"):
        lowbit.compile_linear(q, isa="scalar", act="f32",
                              strategy="bf16-dot")


def lowbit_bf16(x):
    """x rounded to bf16 (nearest even), as float32."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    bits = bits.astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    return rounded.astype(np.uint32).view(np.float32)


def quantize_blocks(x):
    """Activations as int8-dot kernels quantize them, written independently
    of the compiler: blocks of 32 along K, a = max|x| / 127 and q = x / a
    rounded to nearest even, in float32 arithmetic; returns q * a."""
    x = np.asarray(x, dtype=np.float32)
    out = np.zeros(x.shape)
    for b in range(0, x.shape[1], 32):
        block = x[:, b:b + 32]
        a = np.abs(block).max(axis=1, keepdims=True) / np.float32(127)
        q = np.rint(block / np.where(a > 0, a, np.float32(1)))
        out[:, b:b + 32] = np.where(a > 0, q.astype(np.float64) * a, 0.0)
    return out


def strategy_isa(isa):
    """int8-dot kernels for AVX-512 need VNNI: AVX2 where the CPU lacks it."""
    return isa if isa != "avx512" or "avx512_vnni" in cpu_flags() else "avx2"


@pytest.mark.parametrize("strategy", ["int8-dot", "lut", "auto"])
@pytest.mark.parametrize("fmt,zero", [("int4", "none"), ("uint4", "int"),
                                      ("int2", "float"), ("int8", "none")])
def test_compile_linear_strategies(strategy, fmt, zero, rng, isa):
    # The faster strategies quantize activations: int8-dot kernels match a
    # float64 reference on the activations quantized as they quantize them
    # to f32 accuracy; lut kernels (int8 tables) stay within 5 % of the
    # exact product.
    n, k, m = 40, 512, 3
    q = lowbit.quantize(rng.standard_normal((n, k)), fmt, 64, scale="f16",
                        zero=zero)
    layer = lowbit.compile_linear(q, isa=strategy_isa(isa), act="f32",
                                  strategy=strategy)
    if strategy == "auto":
        # The heuristic of docs/cpu-kernels.md: lut up to 4 bits.
        assert layer.strategy == ("lut" if fmt != "int8" else "int8-dot")
    else:
        assert layer.strategy == strategy
    x = rng.standard_normal((m, k)).astype(np.float32)
    y = layer(x)
    w = lowbit.dequantize(q)
    exact = x.astype(np.float64) @ w.T
    if layer.strategy == "int8-dot":
        assert relative_error(y, quantize_blocks(x) @ w.T) < 1e-5
        assert relative_error(y, exact) < 2e-2
    else:
        assert 1e-5 < relative_error(y, exact) < 5e-2


def cpu_flags():
    with open("/proc/cpuinfo") as f:
        return set(f.read().split())


@pytest.mark.skipif("avx512f" in cpu_flags() or "avx2" not in cpu_flags(),
                    reason="checks the refusal on a CPU with AVX2 only")
def test_compile_linear_refuses_kernels_the_cpu_cannot_run(rng):
    # Loading and calling AVX-512 kernels here would kill the interpreter
    # with an illegal instruction: the library is refused first.
    q = lowbit.quantize(rng.standard_normal((8, 64)), "int4", 32)
    with pytest.raises(RuntimeError,
                       match="this CPU lacks avx512f avx512bw avx512dq "
                             "avx512vl, which avx512 dequant kernels need; "
                             "compile with isa='avx2'"):
        lowbit.compile_linear(q, isa="avx512")


def test_compile_linear_bad_input(rng, isa):
    q = lowbit.quantize(rng.standard_normal((8, 64)), "int4", 32)
    with pytest.raises(ValueError, match="isa 'sse9'"):
        lowbit.compile_linear(q, isa="sse9")
    with pytest.raises(ValueError,
                       match="strategy 'fast' is not one of dequant, "
                             "int8-dot, lut, bf16-dot, auto"):
        lowbit.compile_linear(q, strategy="fast")
    with pytest.raises(ValueError, match="cannot use the int8-dot strategy"):
        lowbit.compile_linear(lowbit.quantize(rng.standard_normal((8, 64)),
                                              "nf4", 32), strategy="int8-dot")
    with pytest.raises(ValueError, match="activation type 'f64'"):
        lowbit.compile_linear(q, act="f64")
    with pytest.raises(ValueError, match="QuantizedLinear"):
        lowbit.compile_linear(np.zeros((8, 64)))
    layer = lowbit.compile_linear(q, isa=isa)
    with pytest.raises(ValueError, match=r"activations \[M, 64\]"):
        layer(np.zeros((2, 63), dtype=np.float32))
    with pytest.raises(ValueError, match=r"activations \[M, 64\]"):
        layer(np.zeros(64, dtype=np.float32))


EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples",
                       "block", "make_block.py")


def packed_weights(model, layer):
    """A layer's float64 weights from its library folder: the packed words
    unpacked in the kernel's layout and dequantized with its scales."""
    kernel = next(k for k in model.manifest["kernels"]
                  if k["name"] == layer.kernel)
    entry = next(e for e in model.manifest["layers"] if e["name"] == layer.name)
    files = {o["role"]: os.path.join(model.directory, o["file"])
             for o in entry["operands"] if "file" in o}
    layout = kernel["layout"]
    assert "plane_rows" not in layout  # Bit planes: not through this helper.
    words = np.fromfile(files["weights"], dtype={8: np.uint8, 32: np.uint32}[
        layout["word"]]).reshape(layer.n, layout["words_per_row"])
    codes = lowbit.unpack(words, layout["bits"], layer.k, word=layout["word"],
                          aligned=layout["aligned"], order=layout["order"])
    scheme = kernel["scheme"]
    assert scheme["scale"] == "f16" and scheme["zero"] in ("none", "int")
    scales = np.fromfile(files["scales"], dtype=np.float16).astype(
        np.float64).reshape(layer.n, -1)
    s = np.repeat(scales, scheme["group"], axis=1)
    values = lowbit.Format(kernel["format"]).decode_table[codes]
    if scheme["zero"] == "int":
        zeros = np.fromfile(files["zeros"], dtype=np.float32).reshape(
            layer.n, -1)
        return (values - np.repeat(zeros, scheme["group"], axis=1)) * s
    return values * s


def test_compile_model_example_block(tmp_path, rng, isa):
    mlir = tmp_path / "block.mlir"
    subprocess.run([sys.executable, EXAMPLE, "--dim", "128", "--ffn", "256",
                    "-o", str(mlir)], check=True)
    model = lowbit.compile_model(str(mlir), str(tmp_path / "block"), isa=isa)
    names = [layer.name for layer in model.layers]
    assert "attn_qkv_0" in names and "attn_out" in names
    # The example's functions take one decode token (static M = 1).
    x = rng.standard_normal((1, 128)).astype(np.float32)
    qkv = model["attn_qkv_0"]
    assert qkv.runtime_operands == []
    ref = x.astype(np.float64) @ packed_weights(model, qkv).T
    assert relative_error(qkv(x), ref) < 1e-5
    # o_proj(a) + x: the residual is the epilogue's run-time operand.
    out = model["attn_out"]
    assert len(out.runtime_operands) == 1
    residual = rng.standard_normal((1, 128)).astype(np.float32)
    ref = x.astype(np.float64) @ packed_weights(model, out).T + residual
    assert relative_error(out(x, residual), ref) < 1e-5
    with pytest.raises(ValueError, match="run-time operands"):
        out(x)


def test_compile_model_example_block_int8_dot(tmp_path, rng, isa):
    mlir = tmp_path / "block.mlir"
    subprocess.run([sys.executable, EXAMPLE, "--dim", "128", "--ffn", "256",
                    "-o", str(mlir)], check=True)
    model = lowbit.compile_model(str(mlir), str(tmp_path / "block"),
                                 isa=strategy_isa(isa), strategy="int8-dot")
    assert {layer.strategy for layer in model.layers} == {"int8-dot"}
    x = rng.standard_normal((1, 128)).astype(np.float32)
    qkv = model["attn_qkv_0"]
    # Byte-layout weights: 8-bit words in the manifest.
    ref = quantize_blocks(x) @ packed_weights(model, qkv).T
    assert relative_error(qkv(x), ref) < 1e-5


def kernel_schedules(directory):
    """The `// schedule ...` header lines of a library's kernels."""
    with open(os.path.join(directory, "kernels.cpp")) as f:
        return [line.strip() for line in f if line.startswith("// schedule ")]


def test_compile_linear_tuned(rng, tmp_path, isa):
    # tune="model": the tile search's pick for one row of activations (one
    # row per decode) instead of the default schedule (4 rows), and the
    # objective reaches the search (energy: one core, as in
    # test/Compile/tune.test); the tuned kernel still matches float64.
    n, k, m = 64, 512, 3
    q = lowbit.quantize(rng.standard_normal((n, k)), "int4", 64, scale="f16")
    x = rng.standard_normal((m, k)).astype(np.float32)
    ref = x.astype(np.float64) @ lowbit.dequantize(q).T
    default = lowbit.compile_linear(q, isa=isa, out_dir=str(tmp_path / "d"))
    assert kernel_schedules(tmp_path / "d") == [
        "// schedule rows=4,acc=1,kblock=0,threads=0,panel=8"]
    layer = lowbit.compile_linear(q, isa=isa, out_dir=str(tmp_path / "t"),
                                  tune="model", tune_m=1)
    [schedule] = kernel_schedules(tmp_path / "t")
    assert schedule.startswith("// schedule rows=1,"), schedule
    assert relative_error(layer(x), ref) < 1e-5
    assert relative_error(default(x), ref) < 1e-5
    # 9 rows take the panel path of the vector kernels.
    x9 = rng.standard_normal((9, k)).astype(np.float32)
    ref9 = x9.astype(np.float64) @ lowbit.dequantize(q).T
    assert relative_error(default(x9), ref9) < 1e-5
    assert relative_error(layer(x9), ref9) < 1e-5
    lowbit.compile_linear(q, isa=isa, out_dir=str(tmp_path / "e"),
                          tune="model", objective="energy")
    [schedule] = kernel_schedules(tmp_path / "e")
    assert ",threads=1," in schedule, schedule


def test_compile_tuning_errors(rng, tmp_path):
    q = lowbit.quantize(rng.standard_normal((16, 128)), "int4", 64)
    with pytest.raises(ValueError, match="objective and tune_m need "
                                         "tune='model'"):
        lowbit.compile_linear(q, objective="energy")
    with pytest.raises(ValueError, match="tune='measure' is not None or "
                                         "'model'"):
        lowbit.compile_linear(q, tune="measure")
    with pytest.raises(ValueError, match="objective 'speed'"):
        lowbit.compile_linear(q, tune="model", objective="speed")
    with pytest.raises(ValueError, match="tune_m must be at least 1, got 0"):
        lowbit.compile_linear(q, tune="model", tune_m=0)
    with pytest.raises(ValueError, match="objective and tune_m need"):
        lowbit.compile_model(str(tmp_path / "none.mlir"), str(tmp_path / "o"),
                             tune_m=4)


def test_compile_model_errors(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        lowbit.compile_model(str(tmp_path / "none.mlir"), str(tmp_path / "o"))
    bad = tmp_path / "bad.mlir"
    bad.write_text("func.func @f( {\n")
    with pytest.raises(ValueError, match="bad.mlir:1"):
        lowbit.compile_model(str(bad), str(tmp_path / "o"))
