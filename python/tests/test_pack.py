"""Packing layouts (Pack.h): unpack of pack is the identity."""

import numpy as np
import pytest

import lowbit


def layouts(bits):
    for word in (8, 16, 32, 64):
        if bits <= word:
            yield {"layout": "plain", "word": word}
            yield {"layout": "plain", "word": word, "aligned": True}
        if word % bits == 0 and (word // bits) % 2 == 0:
            yield {"layout": "interleaved", "word": word}
    for lanes in (8, 16):
        yield {"layout": "lanes", "word": 32, "lanes": lanes}


@pytest.mark.parametrize("bits", range(1, 9))
def test_unpack_of_pack_is_identity(bits, rng):
    for options in layouts(bits):
        k = int(rng.integers(1, 300))
        codes = rng.integers(0, 2**bits, (3, k), dtype=np.uint8)
        words = lowbit.pack(codes, bits, **options)
        assert words.dtype == np.dtype(f"uint{options['word']}")
        assert words.shape[0] == 3
        np.testing.assert_array_equal(
            lowbit.unpack(words, bits, k, **options), codes)


def test_documented_examples():
    codes = np.arange(1, 9).reshape(1, 8)
    assert lowbit.pack(codes, 4)[0, 0] == 0x87654321
    assert lowbit.pack(codes, 4, layout="interleaved")[0, 0] == 0x86427531


def test_custom_order(rng):
    codes = rng.integers(0, 16, (2, 16), dtype=np.uint8)
    order = [3, 2, 1, 0]
    words = lowbit.pack(codes, 4, order=order)
    np.testing.assert_array_equal(
        lowbit.unpack(words, 4, 16, order=order), codes)
