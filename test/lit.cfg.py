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
    ToolSubst("lowbit-translate", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# Execution tests compile emitted kernels with the system C++ compiler and run
# them; they need the compiler and, per ISA, a CPU that has it.
import shutil

if shutil.which(os.environ.get("CXX", "g++")):
    config.available_features.add("cxx")


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
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(
    ("%check_matrix", sys.executable + " " +
     os.path.join(config.lowbit_src_root, "test", "Target", "CPU", "Inputs", "check_matrix.py")))
