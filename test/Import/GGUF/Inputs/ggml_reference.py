"""ggml's reference Q4_K quantizer (quantize_row_q4_K_ref in ggml-quants.c),
in numpy, for the block types the `gguf` package cannot quantize itself
(gguf 0.19 implements dequantization of Q4_K but raises NotImplementedError
for its quantization).

It follows the C reference step by step, vectorized over 32-weight
sub-blocks: per sub-block a weighted least-squares fit of scale and minimum
over 21 candidate scales (make_qkx2_quants with rmin -1, rdelta 0.1,
nstep 20), weights av_x + |x|; the eight scales and minimums quantized to
6 bits against the super-block maxima (d = max_scale / 63, dmin =
max_min / 63, stored as f16); the codes recomputed from the stored scales;
and the 144-byte block layout of ggml-common.h. Arithmetic is float32 and
rounding is to nearest even, as in nearest_int().
"""

import numpy as np

QK_K = 256
BLOCK_BYTES = 144


def _nearest_int(v):
    return np.rint(v).astype(np.int64)


def _fit_sub_blocks(x, weights, nmax=15, rmin=-1.0, rdelta=0.1, nstep=20):
    """make_qkx2_quants (use_mad = false) for every row of x [S, 32]:
    (scale [S], minimum [S] as a positive offset, codes [S, 32])."""
    f = np.float32
    lo = np.minimum(x.min(axis=1), f(0))
    hi = x.max(axis=1)
    flat = hi == lo
    span = np.where(flat, f(1), hi - lo)
    sum_w = weights.sum(axis=1, dtype=f)
    sum_x = (weights * x).sum(axis=1, dtype=f)

    iscale = f(nmax) / span
    scale = f(1) / iscale
    codes = np.clip(_nearest_int(iscale[:, None] * (x - lo[:, None])), 0, nmax)
    diff = scale[:, None] * codes + lo[:, None] - x
    best = (weights * diff * diff).sum(axis=1, dtype=f)
    minimum = lo.copy()
    for step in range(nstep + 1):
        iscale = (f(rmin) + f(rdelta) * f(step) + f(nmax)) / span
        trial = np.clip(_nearest_int(iscale[:, None] * (x - lo[:, None])), 0, nmax)
        t = trial.astype(f)
        sum_l = (weights * t).sum(axis=1, dtype=f)
        sum_l2 = (weights * t * t).sum(axis=1, dtype=f)
        sum_xl = (weights * t * x).sum(axis=1, dtype=f)
        det = sum_w * sum_l2 - sum_l * sum_l
        ok = det > 0
        safe = np.where(ok, det, f(1))
        this_scale = (sum_w * sum_xl - sum_x * sum_l) / safe
        this_min = (sum_l2 * sum_x - sum_l * sum_xl) / safe
        positive = this_min > 0
        this_scale = np.where(positive, sum_xl / np.where(sum_l2 > 0, sum_l2, f(1)),
                              this_scale)
        this_min = np.where(positive, f(0), this_min)
        diff = this_scale[:, None] * t + this_min[:, None] - x
        err = (weights * diff * diff).sum(axis=1, dtype=f)
        better = ok & (err < best)
        codes = np.where(better[:, None], trial, codes)
        best = np.where(better, err, best)
        scale = np.where(better, this_scale, scale)
        minimum = np.where(better, this_min, minimum)
    scale = np.where(flat, f(0), scale).astype(f)
    codes = np.where(flat[:, None], 0, codes)
    return scale, (-minimum).astype(f), codes


def quantize_q4_k(weights):
    """Q4_K blocks of a float array [rows, K] (K a multiple of 256), as the
    uint8 array [rows, K / 256 * 144] that gguf.GGUFWriter.add_tensor takes
    with raw_dtype=Q4_K."""
    x = np.asarray(weights, dtype=np.float32)
    rows, k = x.shape
    if k % QK_K:
        raise ValueError("Q4_K needs K to be a multiple of 256")
    blocks = x.reshape(-1, 8, 32)
    nb = blocks.shape[0]
    sub = blocks.reshape(-1, 32)
    av_x = np.sqrt((sub * sub).sum(axis=1, dtype=np.float32) / np.float32(32))
    scales, mins, codes = _fit_sub_blocks(sub, av_x[:, None] + np.abs(sub))
    scales = scales.reshape(nb, 8)
    mins = mins.reshape(nb, 8)
    codes = codes.reshape(nb, 8, 32)

    max_scale = scales.max(axis=1)
    max_min = mins.max(axis=1)
    inv_scale = np.where(max_scale > 0, np.float32(63) / np.where(max_scale > 0, max_scale, 1), 0)
    inv_min = np.where(max_min > 0, np.float32(63) / np.where(max_min > 0, max_min, 1), 0)
    ls = np.minimum(63, _nearest_int(inv_scale[:, None].astype(np.float32) * scales))
    lm = np.minimum(63, _nearest_int(inv_min[:, None].astype(np.float32) * mins))

    packed = np.zeros((nb, 12), dtype=np.uint8)
    packed[:, 0:4] = ls[:, 0:4]
    packed[:, 4:8] = lm[:, 0:4]
    packed[:, 8:12] = (ls[:, 4:8] & 0xF) | ((lm[:, 4:8] & 0xF) << 4)
    packed[:, 0:4] |= ((ls[:, 4:8] >> 4) << 6).astype(np.uint8)
    packed[:, 4:8] |= ((lm[:, 4:8] >> 4) << 6).astype(np.uint8)
    d = (max_scale / np.float32(63)).astype(np.float16)
    dmin = (max_min / np.float32(63)).astype(np.float16)

    # The codes again, from the scales as stored (sub-blocks whose stored
    # scale is zero keep the fitted codes).
    sub_d = d.astype(np.float32)[:, None] * ls.astype(np.float32)
    sub_m = dmin.astype(np.float32)[:, None] * lm.astype(np.float32)
    nonzero = sub_d != 0
    requant = np.clip(_nearest_int((blocks + sub_m[..., None]) /
                                   np.where(nonzero, sub_d, 1)[..., None]), 0, 15)
    codes = np.where(nonzero[..., None], requant, codes).reshape(nb, 256)

    qs = np.zeros((nb, 128), dtype=np.uint8)
    for j in range(4):  # 64 weights per 32 bytes: low nibbles, then high
        qs[:, 32 * j:32 * j + 32] = (codes[:, 64 * j:64 * j + 32] |
                                     (codes[:, 64 * j + 32:64 * j + 64] << 4))
    out = np.concatenate([d.view(np.uint8).reshape(nb, 2),
                          dmin.view(np.uint8).reshape(nb, 2), packed, qs], axis=1)
    return out.reshape(rows, -1)
