#!/usr/bin/env bash
# Installs what lowbit needs to build and test, if missing. Safe to re-run:
# packages already present are left alone and nothing is downloaded.
set -euo pipefail

APT_PACKAGES=(
  cmake ninja-build g++ python3
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
  libgtest-dev
  # HIP compile tests (test/Target/GPU/compile-hip.test): Debian's hipcc
  # builds for AMD GPUs; nothing runs the code here.
  hipcc
  # NEON lut kernels (test/Target/CPU/execute-lut-neon.test): clang builds
  # them for AArch64 against the cross C library and start files, and they
  # run, linked statically, under qemu-aarch64.
  libc6-dev-arm64-cross libgcc-12-dev-arm64-cross qemu-user
)

# Python packages, from PyPI: CUDA's cuobjdump and nvdisasm (the SASS checks
# of test/Target/GPU/compile-cuda-*.test; the CUDA toolkit here ships
# without them).
# numpy, gguf and safetensors write the checkpoint files the importer tests
# read (with the packages' own quantizers).
# pybind11 builds the Python package (python/); pytest runs its tests.
# simde-py ships SIMDe's headers, with which lowbit-bench --emulate-isa runs
# AVX-512 kernels on CPUs without AVX-512 (test/Target/CPU/*-emulated.test).
PIP_PACKAGES=(
  "nvidia-cuda-cuobjdump>=13,<14"
  "nvidia-cuda-nvdisasm>=13,<14"
  numpy
  gguf
  safetensors
  pybind11
  pytest
  "simde-py>=0.8.2,<0.9"
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null; then
      SUDO="sudo"
    else
      echo "setup: missing packages ${missing[*]} and not root (no sudo)" >&2
      exit 1
    fi
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
else
  echo "setup: all system packages present"
fi

# A package counts as present when pip knows it by name.
pip_missing=()
for spec in "${PIP_PACKAGES[@]}"; do
  name="${spec%%[<>=]*}"
  if ! python3 -m pip show -q "$name" >/dev/null 2>&1; then
    pip_missing+=("$spec")
  fi
done
if ((${#pip_missing[@]})); then
  echo "setup: pip installing ${pip_missing[*]}"
  # A Debian-managed Python refuses plain installs (PEP 668); fall back to
  # --break-system-packages there.
  python3 -m pip install -q "${pip_missing[@]}" ||
    python3 -m pip install -q --break-system-packages "${pip_missing[@]}"
else
  echo "setup: all Python packages present"
fi
