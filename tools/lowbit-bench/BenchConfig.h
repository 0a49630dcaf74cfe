//===- BenchConfig.h - lowbit-bench's flags and their validation -*- C++ -*-===//
//
// The checks lowbit-bench applies to its flags before it builds anything,
// apart from the command-line library, so the flags fuzz target runs them
// without compiling or running kernels.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_LOWBIT_BENCH_BENCHCONFIG_H
#define LOWBIT_TOOLS_LOWBIT_BENCH_BENCHCONFIG_H

#include "lowbit/Target/CPU/CpuKernel.h"
#include "lowbit/Target/GPU/GpuKernel.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lowbit::bench {

/// The flags as given (defaults as lowbit-bench declares them).
struct BenchFlags {
  std::string target = "cpu";
  std::string arch;
  int64_t m = 1, n = 4096, k = 4096;
  std::string weight = "int4";
  int64_t group = 0;
  std::string zero = "none";
  std::string scale;
  std::string cpuSchedule;
  std::string sweep;
  std::string act = "f32";
  bool actGiven = false; ///< --act was given (GPU targets default to f16).
  std::string strategy = "dequant";
  bool strategyGiven = false; ///< --strategy was given.
  int64_t lutGroup = 4;       ///< --lut-group: activations per lut table.
  bool lutExact = false;      ///< --lut-exact: f32 lut tables.
  bool lutGiven = false;      ///< --lut-group or --lut-exact was given.
  std::string isa = "avx512";
};

/// The configuration named by the flags.
struct Config {
  cpu::KernelSpec spec;
  std::string formatName;
  std::optional<gpu::Target> gpuTarget; ///< Set for --target=cuda|hip.
  /// --sweep's schedules, each verified against the spec.
  std::vector<cpu::CpuSchedule> sweep;
};

/// The GPU kernel specification of a configuration.
gpu::KernelSpec gpuSpec(const Config &config);

/// Checks the flags and builds the configuration; on failure returns
/// std::nullopt and sets `error` to the one-line message lowbit-bench prints.
std::optional<Config> validateFlags(const BenchFlags &flags,
                                    std::string &error);

/// Removes `--threads=N` (or `-threads=N`, `--threads N`) from argv and
/// stores N in `threads`; on a bad value returns false and sets `error`.
bool takeThreadsFlag(int &argc, char **argv, int &threads, std::string &error);

} // namespace lowbit::bench

#endif // LOWBIT_TOOLS_LOWBIT_BENCH_BENCHCONFIG_H
