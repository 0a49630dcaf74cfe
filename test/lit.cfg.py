# -*- Python -*-
# lit configuration for lowbit's FileCheck tests.

import os
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "LOWBIT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.lowbit_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.lowbit_tools_dir, config.llvm_tools_dir]
tools = [
    ToolSubst("lowbit-opt", unresolved="fatal"),
    ToolSubst("lowbit-bench", unresolved="fatal"),
    ToolSubst("lowbit-compile", unresolved="fatal"),
    ToolSubst("lowbit-import", unresolved="fatal"),
    ToolSubst("lowbit-translate", unresolved="fatal"),
    ToolSubst("lowbit-tune", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# Execution tests compile emitted kernels with the system C++ compiler and run
# them; they need the compiler and, per ISA, a CPU that has it.
import glob
import shutil

if shutil.which(os.environ.get("CXX", "g++")):
    config.available_features.add("cxx")
# clang++ on the host: lowbit-bench --target=hip --emulate-gpu builds the HIP
# kernels (clang vector extensions, _Float16) with it.
if shutil.which("clang++-22") or shutil.which("clang++"):
    config.available_features.add("host-clang")


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


flags = cpu_flags()
if {"avx2", "fma", "f16c"} <= flags:
    config.available_features.add("cpu-avx2")
if {"avx512f", "avx512bw", "avx512dq", "avx512vl", "fma", "f16c"} <= flags:
    config.available_features.add("cpu-avx512")
    if "avx512_vnni" in flags:
        config.available_features.add("cpu-avx512-vnni")
    if "avx512_bf16" in flags:
        config.available_features.add("cpu-avx512-bf16")

# NEON kernels: clang builds them for AArch64 against Debian's cross C
# library (`aarch64-cross`; no C++ library: the kernels use C headers only)
# and, with the cross start files, links them statically with lld to run
# under qemu-aarch64 (`qemu-aarch64`). scripts/setup.sh installs all three.
aarch64_clang = shutil.which("clang++", path=config.llvm_tools_dir) or shutil.which("clang++-22")
if aarch64_clang and os.path.exists("/usr/aarch64-linux-gnu/include/stdlib.h"):
    config.available_features.add("aarch64-cross")
    config.substitutions.append(
        ("%aarch64_cxx", aarch64_clang + " --target=aarch64-linux-gnu -nostdinc++"))
    if (glob.glob("/usr/lib/gcc-cross/aarch64-linux-gnu/*/crtbeginT.o") and
            shutil.which("qemu-aarch64")):
        config.available_features.add("qemu-aarch64")
        config.substitutions.append(
            ("%aarch64_link_cxx", aarch64_clang +
             " --target=aarch64-linux-gnu -nostdinc++ -nostdlib++ -fuse-ld=lld"))
config.substitutions.append(("%python", sys.executable))

# x86 kernels for instructions this CPU lacks (AVX-512, VNNI) run under
# `lowbit-bench --emulate-isa=%simde_include`, compiled against SIMDe's
# portable intrinsics: the headers of the simde-py wheel (scripts/setup.sh
# installs it), for the Python that runs lit or the `python3` on PATH.
def simde_include():
    try:
        import simde_py
        return simde_py.get_include()
    except ImportError:
        pass
    python3 = shutil.which("python3")
    if not python3:
        return None
    import subprocess
    try:
        out = subprocess.run(
            [python3, "-c", "import simde_py; print(simde_py.get_include())"],
            capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


simde_dir = simde_include()
if (simde_dir and "cpu-avx2" in config.available_features and
        os.path.exists(os.path.join(simde_dir, "simde", "x86", "avx512.h"))):
    config.available_features.add("simde")
    config.substitutions.append(("%simde_include", simde_dir))
config.substitutions.append(
    ("%make_block", sys.executable + " " +
     os.path.join(config.lowbit_src_root, "examples", "block", "make_block.py")))
config.substitutions.append(
    ("%check_matrix", sys.executable + " " +
     os.path.join(config.lowbit_src_root, "test", "Target", "CPU", "Inputs", "check_matrix.py")))

# GPU compile tests build emitted CUDA and HIP kernels with the vendors'
# compilers (nothing runs them): `nvcc` when nvcc is on PATH or in the CUDA
# toolkit's bin/, `cuobjdump` when CUDA's cuobjdump and nvdisasm are there or
# in the nvidia-cuda-cuobjdump / nvidia-cuda-nvdisasm wheels (SASS checks),
# `hipcc` when hipcc is on PATH or in ROCm's bin/. Each tool's folder joins
# the tests' PATH.
import subprocess


def gpu_tool_dirs():
    dirs = []
    for root in (os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"),
                 "/usr/local/cuda", os.environ.get("ROCM_PATH"), "/opt/rocm"):
        if root:
            dirs.append(os.path.join(root, "bin"))
    # Wheels install CUDA tools under site-packages/nvidia/cu*/bin, for the
    # Python that runs lit or the `python3` on PATH.
    sites = [p for p in sys.path if p.endswith("-packages")]
    python3 = shutil.which("python3")
    if python3:
        try:
            sites += subprocess.run(
                [python3, "-c", "import site; print('\\n'.join(site.getsitepackages()))"],
                capture_output=True, text=True, timeout=30).stdout.split()
        except (OSError, subprocess.SubprocessError):
            pass
    for site in sites:
        dirs += sorted(glob.glob(os.path.join(site, "nvidia", "cu*", "bin")))
    return dirs


def find_gpu_tool(name):
    found = shutil.which(name, path=config.environment["PATH"])
    if found:
        return found
    for d in gpu_tool_dirs():
        if os.access(os.path.join(d, name), os.X_OK):
            return os.path.join(d, name)
    return None


def add_gpu_feature(feature, *names):
    paths = [find_gpu_tool(name) for name in names]
    if all(paths):
        config.available_features.add(feature)
        for path in paths:
            llvm_config.with_environment("PATH", os.path.dirname(path), append_path=True)


add_gpu_feature("nvcc", "nvcc")
add_gpu_feature("cuobjdump", "cuobjdump", "nvdisasm")
add_gpu_feature("hipcc", "hipcc")
config.substitutions.append(
    ("%gpu_formats", sys.executable + " " +
     os.path.join(config.lowbit_src_root, "test", "Target", "GPU", "Inputs", "all_formats.py")))
config.substitutions.append(
    ("%check_gpu_compile", sys.executable + " " +
     os.path.join(config.lowbit_src_root, "test", "Target", "GPU", "Inputs", "check_gpu_compile.py")))
