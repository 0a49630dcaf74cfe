"""Formats, quantize and dequantize against float64 numpy formulas
(docs/numerics.md) on fresh random data."""

import numpy as np
import pytest

import lowbit

NF4 = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
       -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
       0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
       0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
       0.7229568362236023, 1.0]


def reference_table(name):
    """The value of every code of a format, from the docs' formulas."""
    codes = np.arange(256)
    if name.startswith("uint"):
        b = int(name[4:])
        return codes[:2**b].astype(float)
    if name.startswith("int"):
        b = int(name[3:])
        c = codes[:2**b]
        return np.where(c < 2**(b - 1), c, c - 2**b).astype(float)
    if name == "nf4":
        return np.array(NF4)
    if name == "ternary":
        return np.array([-1.0, 0.0, 1.0, np.nan])
    e, m = int(name[1]), int(name[3])
    bits, bias = 1 + e + m, 2**(e - 1) - 1
    c = codes[:2**bits]
    sign = np.where(c >> (e + m), -1.0, 1.0)
    exponent, mantissa = (c >> m) & (2**e - 1), c & (2**m - 1)
    value = np.where(exponent == 0,
                     2.0**(1 - bias) * mantissa / 2**m,
                     2.0**(exponent - bias) * (1 + mantissa / 2**m)) * sign
    top = exponent == 2**e - 1
    if bits == 8 and (e, m) != (4, 3) or bits == 7:  # ieee by default
        value = np.where(top & (mantissa == 0), sign * np.inf, value)
        value = np.where(top & (mantissa != 0), np.nan, value)
    elif (e, m) == (4, 3):  # fn
        value = np.where(top & (mantissa == 2**m - 1), np.nan, value)
    return value


def test_formats_lists_every_family():
    names = lowbit.formats()
    for name in ["int1", "int8", "uint4", "e2m1", "e4m3", "e5m2", "e1m6",
                 "nf4", "ternary"]:
        assert name in names
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", lowbit.formats())
def test_decode_table_matches_formula(name):
    fmt = lowbit.Format(name)
    ref = reference_table(name)
    assert fmt.bits == int(np.log2(len(ref)))
    np.testing.assert_array_equal(fmt.decode_table, ref)
    assert fmt.name == name


def zero_modes(fmt):
    modes = ["none", "float"]
    if fmt.kind in ("signed_int", "unsigned_int"):
        modes.append("int")
    if fmt.min_value < 0 < fmt.max_value:
        modes.append("asym-fp")
    return modes


def targets(q, w):
    """The value each element's code should be nearest to, and the float64
    dequantized values of q, both from the numerics formulas."""
    g = q.group
    s = np.repeat(q.scales, g, axis=1)
    table = q.format.decode_table
    v = table[q.codes]
    if q.zero == "none":
        return w / s, v * s
    z = None if q.zeros is None else np.repeat(q.zeros, g, axis=1)
    if q.zero == "int":
        return w / s + z, (v - z) * s
    if q.zero == "float":
        return (w + z) / s, v * s - z
    sn = np.repeat(q.neg_scales, g, axis=1)
    return w / np.where(w >= 0, s, sn), v * np.where(v >= 0, s, sn)


def check_nearest(q, target):
    table = q.format.decode_table
    finite = table[np.isfinite(table)]
    got = np.abs(table[q.codes] - target)
    best = np.min(np.abs(finite[None, :] - target.reshape(-1, 1)),
                  axis=1).reshape(target.shape)
    assert np.all(got <= best + 1e-12 * np.maximum(1.0, np.abs(target)))


@pytest.mark.parametrize("name", lowbit.formats())
def test_quantize_dequantize_round_trip(name, rng):
    fmt = lowbit.Format(name)
    for zero in zero_modes(fmt):
        for scale in ["f32", "f16", "bf16"]:
            w = rng.standard_normal((6, 64)) * rng.uniform(0.01, 10)
            q = lowbit.quantize(w, name, 32, scale=scale, zero=zero)
            assert q.codes.dtype == np.uint8 and q.codes.shape == (6, 64)
            assert q.scales.shape == (6, 2) and q.group == 32
            assert (q.format, q.scale, q.zero) == (fmt, scale, zero)
            target, expected = targets(q, w)
            check_nearest(q, target)
            np.testing.assert_array_equal(lowbit.dequantize(q), expected)


def test_mx_and_two_level_scales(rng):
    w = rng.standard_normal((4, 64))
    mx = lowbit.quantize(w, "e2m1", 32, scale="e8m0", rule="ocp")
    assert np.all(np.log2(mx.scales) == np.round(np.log2(mx.scales)))
    np.testing.assert_array_equal(
        lowbit.dequantize(mx),
        mx.format.decode_table[mx.codes] * np.repeat(mx.scales, 32, axis=1))
    nv = lowbit.quantize(w, "fp4", 16, scale="e4m3", tensor_scale=True)
    t = nv.tensor_scale
    assert t is not None and np.max(nv.scales) == 448.0
    s = np.repeat(nv.scales * t, 16, axis=1)
    check_nearest(nv, w / s)
    np.testing.assert_array_equal(lowbit.dequantize(nv),
                                  nv.format.decode_table[nv.codes] * s)


def test_encode_decode(rng):
    fmt = lowbit.Format("e4m3")
    x = rng.standard_normal(1000) * 100
    codes = fmt.encode(x)
    np.testing.assert_array_equal(fmt.decode(codes),
                                  fmt.decode_table[codes])
    assert fmt.max_value == 448.0 and fmt.convention == "fn"
    assert (fmt.exponent_bits, fmt.mantissa_bits, fmt.bias) == (4, 3, 7)


def test_codebook_format(rng):
    values = np.sort(rng.standard_normal(8))
    fmt = lowbit.Format.codebook(list(values), "mine")
    assert fmt.bits == 3 and fmt.name == "mine"
    np.testing.assert_array_equal(fmt.decode_table, values)
