"""Bad input raises ValueError naming the bad value, never crashes."""

import numpy as np
import pytest

import lowbit


def test_bad_format_names():
    with pytest.raises(ValueError, match="int9"):
        lowbit.Format("int9")
    with pytest.raises(ValueError, match="e5m5"):
        lowbit.quantize(np.ones((2, 32)), "e5m5", 32)
    with pytest.raises(ValueError, match="lowbit.Format or a format name"):
        lowbit.quantize(np.ones((2, 32)), 4, 32)
    with pytest.raises(ValueError, match="2\\^b values"):
        lowbit.Format.codebook([1.0, 2.0, 3.0])


def test_bad_shapes_and_schemes(rng):
    w = rng.standard_normal((4, 64))
    with pytest.raises(ValueError, match="2-D"):
        lowbit.quantize(w.reshape(4, 8, 8), "int4", 8)
    with pytest.raises(ValueError, match="empty"):
        lowbit.quantize(np.zeros((0, 64)), "int4", 32)
    with pytest.raises(ValueError, match="48"):
        lowbit.quantize(w, "int4", 48)
    with pytest.raises(ValueError, match="f8"):
        lowbit.quantize(w, "int4", 32, scale="f8")
    with pytest.raises(ValueError, match="zero-point mode 'sym'"):
        lowbit.quantize(w, "int4", 32, zero="sym")
    with pytest.raises(ValueError):
        lowbit.quantize(w, "e2m1", 32, zero="int")
    with pytest.raises(ValueError):
        lowbit.quantize(w, "uint4", 32, zero="asym-fp")
    with pytest.raises(ValueError, match="scale rule 'max'"):
        lowbit.quantize(w, "int4", 32, rule="max")


def test_bad_pack_arguments(rng):
    codes = rng.integers(0, 16, (2, 8))
    with pytest.raises(ValueError, match="does not fit in 3 bits"):
        lowbit.pack(codes | 8, 3)
    with pytest.raises(ValueError, match="interleaved"):
        lowbit.pack(codes, 3, layout="interleaved")
    with pytest.raises(ValueError, match="layout 'zigzag'"):
        lowbit.pack(codes, 4, layout="zigzag")
    with pytest.raises(ValueError):
        lowbit.pack(codes, 9)
    with pytest.raises(ValueError):
        lowbit.pack(codes, 4, word=24)
    with pytest.raises(ValueError):
        lowbit.pack(codes, 4, order=[0, 0, 1])
    with pytest.raises(ValueError, match="2-D"):
        lowbit.pack(codes.reshape(-1), 4)
    with pytest.raises(ValueError, match="a stripe needs a run"):
        lowbit.pack(codes, 4, stripe=4)
    with pytest.raises(ValueError, match="not a whole number of pieces"):
        lowbit.pack(codes, 3, stripe=4, chunk=96, piece=4)
    words = lowbit.pack(codes, 4)
    with pytest.raises(ValueError, match="words per row|words in this layout"):
        lowbit.unpack(words, 4, 100)


def test_read_gptq_errors(tmp_path):
    with pytest.raises(ValueError):
        lowbit.read_gptq(str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="checkpoint format 'exl2'"):
        lowbit.read_gptq(str(tmp_path), format="exl2")
