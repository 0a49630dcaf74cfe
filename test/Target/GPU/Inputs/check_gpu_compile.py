#!/usr/bin/env python3
"""Checks what the vendors' compilers made of a file of lowbit GPU kernels.

Usage: check_gpu_compile.py --ptxas LOG [--mlir FILE]
       check_gpu_compile.py --sass FILE [--mlir FILE]
       check_gpu_compile.py --amdgpu ASM [--mlir FILE]

--ptxas LOG: the output of `nvcc -Xptxas -v`. Every entry function must
  report `0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads`.
  Prints `N kernels, M spills`.
--sass FILE: the output of `cuobjdump -sass`. Every kernel must hold the
  tensor-core instruction of its activation type: HMMA.16816.F32 (f16) or
  HMMA.16816.F32.BF16 (bf16); the wgmma kernels (`kernelWgmma`, sm_90a)
  HGMMA.64x16x16.F32 or HGMMA.64x16x16.F32.BF16. Prints
  `N kernels, M without MMA`.
--amdgpu ASM: AMDGPU assembly (hipcc -save-temps or --cuda-device-only -S).
  Every kernel must use no scratch (.amdhsa_private_segment_fixed_size 0,
  .sgpr_spill_count and .vgpr_spill_count 0) and hold
  v_mfma_f32_16x16x16f16 (f16) or v_mfma_f32_16x16x16bf16_1k (bf16). Prints
  `N kernels, M spills` and `N kernels, M without MMA`.
--mlir FILE: the module the kernels came from: the number of kernels must
  equal its number of func.func (one kernel per function), not counting
  the CUDA files' M <= 8 kernels (`kernelSwapped`), of which there may be
  one per function (`kernelWgmma` takes the place of a function's
  `kernel`).
--lut: the kernels are lut kernels (--lowbit-gpu-pipeline="strategy=lut"):
  three instances per function (1, 2 and 4 activation rows), and instead of
  the tensor-core instruction each must hold shared-memory table lookups
  (SASS LDS, AMDGPU ds_read_b32 or ds_read2[st64]_b32) and no tensor-core
  instruction. Prints
  `N kernels, M without lookups`.

A kernel's activations are bf16 when its function's name ends in `_bf16`
(the convention of all_formats.py). Offenders are printed one per line
(`SPILL name: ...`, `NO-MMA name: ...`). Exits 1 on any offender, on no
kernel at all, or on a count that does not match the module.
"""

import argparse
import re
import sys

MMA = {
    # target: (f16 instruction, bf16 instruction), as regular expressions.
    "sass": (r"\bHMMA\.16816\.F32(?!\.BF16)\b", r"\bHMMA\.16816\.F32\.BF16\b"),
    "amdgpu": (r"\bv_mfma_f32_16x16x16f16\b", r"\bv_mfma_f32_16x16x16bf16_1k\b"),
}
WGMMA = (r"\bHGMMA\.64x16x16\.F32(?!\.BF16)\b", r"\bHGMMA\.64x16x16\.F32\.BF16\b")


def kernel_name(symbol: str) -> str:
    """_ZN<len><name>_impl6kernelE... -> <name> (the emitter's namespace)."""
    match = re.match(r"_ZN\d+(\w+?)_impl\d+kernel", symbol)
    return match.group(1) if match else symbol


def is_swapped(symbol: str) -> bool:
    """The M <= 8 kernel with swapped mma operands (CUDA)."""
    return "kernelSwapped" in symbol


def is_wgmma(symbol: str) -> bool:
    """The wgmma kernel (CUDA sm_90a, --gpu-tile's sixth number)."""
    return "kernelWgmma" in symbol


def kernel_label(symbol: str) -> str:
    """The kernel's function name, and which of its kernels it is."""
    return kernel_name(symbol) + (" (kernelSwapped)" if is_swapped(symbol) else
                                  " (kernelWgmma)" if is_wgmma(symbol) else "")


LOOKUP = {"sass": r"\bLDS\b", "amdgpu": r"\bds_read2?(st64)?_b32\b"}
ANY_MMA = {"sass": r"\bHMMA\b", "amdgpu": r"\bv_mfma_"}


def check_lookups(blocks: dict, target: str) -> list:
    offenders = []
    for symbol, body in blocks.items():
        name = kernel_name(symbol)
        if not re.search(LOOKUP[target], body):
            offenders.append(f"{name}: no {LOOKUP[target]}")
        elif re.search(ANY_MMA[target], body):
            offenders.append(f"{name}: a tensor-core instruction in a lut "
                             "kernel")
    return offenders


def check_mma(blocks: dict, target: str) -> list:
    offenders = []
    for symbol, body in blocks.items():
        name = kernel_name(symbol)
        bf16 = name.endswith("_bf16")
        wanted = (WGMMA if is_wgmma(symbol) else MMA[target])[1 if bf16 else 0]
        if not re.search(wanted, body):
            offenders.append(f"{kernel_label(symbol)}: no {wanted} ({'bf16' if bf16 else 'f16'} "
                             "activations)")
    return offenders


def check_ptxas(text: str):
    """(kernels, spill offenders) of a ptxas -v log."""
    kernels, offenders = [], []
    current = None
    for line in text.splitlines():
        entry = re.search(r"Compiling entry function '([^']+)'", line)
        if entry:
            current = entry.group(1)
            kernels.append(current)
            continue
        props = re.search(r"Function properties for (\S+)", line)
        if props:
            current = props.group(1)
            continue
        frame = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, "
                          r"(\d+) bytes spill loads", line)
        if frame and any(int(v) for v in frame.groups()):
            offenders.append(f"{kernel_label(current or '?')}: {line.strip()}")
    return kernels, offenders


def sass_blocks(text: str) -> dict:
    """Kernel symbol -> its SASS, from cuobjdump -sass."""
    blocks, current = {}, None
    for line in text.splitlines():
        function = re.match(r"\s*Function : (\S+)", line)
        if function:
            current = function.group(1)
            blocks[current] = ""
        elif current:
            blocks[current] += line + "\n"
    return blocks


def check_amdgpu(text: str):
    """(kernels, spill offenders, kernel bodies) of AMDGPU assembly."""
    kernels, offenders, blocks = [], [], {}
    current = body = None
    for line in text.splitlines():
        # Kernel code runs from its label to .Lfunc_end.
        label = re.match(r"(_Z\w+):", line)
        if label and "kernel" in label.group(1):
            body = label.group(1)
            blocks[body] = ""
            continue
        if body:
            if line.startswith(".Lfunc_end"):
                body = None
            else:
                blocks[body] += line + "\n"
        kernel = re.match(r"\s*\.amdhsa_kernel (\S+)", line)
        if kernel:
            current = kernel.group(1)
            kernels.append(current)
            continue
        scratch = re.match(r"\s*\.amdhsa_private_segment_fixed_size (\d+)", line)
        if scratch and int(scratch.group(1)):
            offenders.append(f"{kernel_name(current or '?')}: "
                             f"{scratch.group(1)} bytes of scratch")
        # Metadata: one map per kernel, its keys indented by 4 spaces.
        name = re.match(r"    \.name:\s+(\S+)", line)
        if name:
            current = name.group(1)
            continue
        spill = re.match(r"    \.([sv]gpr)_spill_count:\s+(\d+)", line)
        if spill and int(spill.group(2)):
            offenders.append(f"{kernel_name(current or '?')}: "
                             f"{spill.group(2)} {spill.group(1)} spills")
    return kernels, offenders, blocks


def main() -> int:
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--ptxas")
    group.add_argument("--sass")
    group.add_argument("--amdgpu")
    parser.add_argument("--mlir")
    parser.add_argument("--lut", action="store_true")
    args = parser.parse_args()
    check_ops = check_lookups if args.lut else check_mma
    missing = "without lookups" if args.lut else "without MMA"
    tag = "NO-LOOKUP " if args.lut else "NO-MMA "
    with open(args.ptxas or args.sass or args.amdgpu) as f:
        text = f.read()
    spills = mma = None
    if args.ptxas:
        kernels, spills = check_ptxas(text)
    elif args.sass:
        blocks = sass_blocks(text)
        kernels, mma = list(blocks), check_ops(blocks, "sass")
    else:
        kernels, spills, blocks = check_amdgpu(text)
        mma = check_ops(blocks, "amdgpu")
        if set(blocks) != set(kernels):
            print(f"MISMATCH {len(kernels)} kernel descriptors but "
                  f"{len(blocks)} kernel bodies")
            mma.append("descriptor/body mismatch")
    for offender in spills or []:
        print("SPILL " + offender)
    for offender in mma or []:
        print(tag + offender)
    ok = bool(kernels) and not spills and not mma
    if args.mlir:
        with open(args.mlir) as f:
            functions = len(re.findall(r"^\s*func\.func ", f.read(), re.M))
        per_function = 3 if args.lut else 1
        swapped = sum(is_swapped(k) for k in kernels)
        if (functions * per_function != len(kernels) - swapped
                or swapped > functions):
            print(f"MISMATCH {functions} functions in the module but "
                  f"{len(kernels) - swapped} kernels and {swapped} swapped "
                  f"ones compiled ({per_function} per function expected, "
                  "and at most one swapped)")
            ok = False
    if spills is not None:
        print(f"{len(kernels)} kernels, {len(spills)} spills")
    if mma is not None:
        print(f"{len(kernels)} kernels, {len(mma)} {missing}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
