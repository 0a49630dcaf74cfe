//===- CostModel.h - Latency and energy of a low-bit matmul ----*- C++ -*-===//
//
// An analytical model of one mixed-precision matmul kernel on one device:
// operation counts (decode, multiply-accumulate, group flushes), bytes
// moved at each memory level from the schedule's tile shapes, parallelism
// and occupancy, overlap of compute with memory, and tail effects. It
// predicts time and energy; a few coefficients (Calibration) can be refit
// from measurements. docs/tuning.md derives every term.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TUNE_COSTMODEL_H
#define LOWBIT_TUNE_COSTMODEL_H

#include "lowbit/Target/CPU/CpuKernel.h"
#include "lowbit/Target/GPU/GpuKernel.h"
#include "lowbit/Tune/Hardware.h"

#include <string>

namespace lowbit::tune {

/// y[M, N] = x[M, K] * dequant(W[N, K])^T with W in `weight` codes grouped
/// by `scheme`, activations (and outputs) of type `activation`.
struct Problem {
  int64_t m = 1, n = 0, k = 0;
  numerics::Format weight = numerics::Format::signedInt(4);
  numerics::Scheme scheme;
  cpu::ScalarType activation = cpu::ScalarType::F32;
};

/// The model's coefficients, 1 (or the given default) until refit from
/// measurements: they scale the compute and memory terms, set how much of
/// the shorter of the two the longer one fails to hide, and add a fixed
/// cost per call.
struct Calibration {
  double compute = 1.0;
  double memory = 1.0;
  double overlap = 0.15;
  double fixedSeconds = 0.0;
};

/// A prediction, with its parts.
struct Cost {
  double seconds = 0;        ///< Predicted time per call.
  double joules = 0;         ///< Predicted energy per call.
  double computeSeconds = 0; ///< Instruction issue, latency and cache terms.
  double memorySeconds = 0;  ///< Streaming the weights from memory.
  double overheadSeconds = 0;///< Serial prologue, threads, passes, launch.
  double dramBytes = 0;      ///< Bytes read from memory.
  double operations = 0;     ///< Vector (CPU) or int32 (GPU) decode ops.
  std::string limit;         ///< "memory", "issue", "fma", "latency", ...
};

/// The generators' specification of `p`: on a CPU ISA with `schedule`, and
/// on a GPU (where f32 activations run as f16). The model counts what these
/// kernels execute; the search checks them with the generators' verifiers.
cpu::KernelSpec cpuKernelSpec(const Problem &p, cpu::Isa isa,
                              const cpu::CpuSchedule &schedule = {});
gpu::KernelSpec gpuKernelSpec(const Problem &p, gpu::Target target);

/// Bytes of packed weights, scales and zero points a kernel reads for `p`
/// with `wordsPerRow` 32-bit words per row of weights.
double weightBytes(const Problem &p, int64_t wordsPerRow);

/// The CPU kernel of cpu::emitCpuKernel for `p` on `isa` with `schedule`,
/// run with schedule.threads threads (all cores when 0).
Cost predictCpu(const Problem &p, cpu::Isa isa,
                const cpu::CpuSchedule &schedule, const Hardware &hw,
                const Calibration &calibration = {});

/// The GPU kernel of gpu::emitGpuKernel for `p` with decomposition `tile`.
Cost predictGpu(const Problem &p, gpu::Target target,
                const gpu::TileConfig &tile, const Hardware &hw,
                const Calibration &calibration = {});

/// Vector registers a CPU schedule keeps live in its inner loop
/// (accumulators, row sums, decode temporaries and tables); schedules above
/// the register file are pruned.
int64_t cpuRegisters(const Problem &p, cpu::Isa isa,
                     const cpu::CpuSchedule &schedule);

} // namespace lowbit::tune

#endif // LOWBIT_TUNE_COSTMODEL_H
