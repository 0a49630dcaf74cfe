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


@pytest.mark.parametrize("bits", [3, 4])
def test_gpu_stripe_moves_16_byte_pieces(bits, rng):
    """The GPU kernels' layout: runs of four 128-code chunks store their
    16-byte pieces interleaved (piece v of chunk q at v * run + q), a
    shorter run at the end of a row. Checked against numpy slicing."""
    k = 128 * 6  # a run of 4 chunks, then a run of 2
    codes = rng.integers(0, 2**bits, (3, k), dtype=np.uint8)
    base = {"layout": "interleaved"} if 32 % bits == 0 else {}
    stripe = {"stripe": 4, "chunk": 128, "piece": 4}
    plain = lowbit.pack(codes, bits, **base)
    striped = lowbit.pack(codes, bits, **base, **stripe)
    chunk_pieces = bits  # 128 codes = 4 * bits words = bits pieces
    expected = []
    for start, run in ((0, 4), (4, 2)):
        pieces = plain[:, start * 4 * bits:(start + run) * 4 * bits]
        pieces = pieces.reshape(3, run, chunk_pieces, 4)
        expected.append(pieces.transpose(0, 2, 1, 3).reshape(3, -1))
    np.testing.assert_array_equal(striped, np.concatenate(expected, axis=1))
    np.testing.assert_array_equal(
        lowbit.unpack(striped, bits, k, **base, **stripe), codes)
