"""Shared fixtures: a fresh random generator per test, its seed printed
(shown by pytest when the test fails); LOWBIT_TEST_SEED replays a run."""

import os

import numpy as np
import pytest


@pytest.fixture
def rng():
    seed = int(os.environ.get("LOWBIT_TEST_SEED", "0")) or \
        int.from_bytes(os.urandom(4), "little")
    print(f"seed {seed} (set LOWBIT_TEST_SEED={seed} to replay)")
    return np.random.default_rng(seed)


@pytest.fixture(scope="session")
def isa():
    """The widest CPU ISA this machine runs (as scripts/demo.sh picks it)."""
    with open("/proc/cpuinfo") as f:
        flags = set(f.read().split())
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        return "avx512"
    if {"avx2", "fma"} <= flags:
        return "avx2"
    return "scalar"
