//===- CpuLutKernel.h - Table-lookup CPU kernels ----------------*- C++ -*-===//
//
// The Lut strategy of the CPU kernel generator (cpu::Strategy::Lut), kept in
// its own translation unit. emitCpuKernel, weightLayout, kBlockQuantum and
// verifyKernelSpec dispatch here for Lut specs; the kernels keep the ABI of
// the other strategies (docs/cpu-kernels.md).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_TARGET_CPU_CPULUTKERNEL_H
#define LOWBIT_LIB_TARGET_CPU_CPULUTKERNEL_H

#include "lowbit/Target/CPU/CpuKernel.h"

namespace lowbit::cpu::lut {

/// The packed weight layout a Lut kernel for `spec` reads.
numerics::PackLayout weightLayout(const KernelSpec &spec);

/// The unit of CpuSchedule::kBlock for a Lut kernel.
int64_t kBlockQuantum(const KernelSpec &spec);

/// "" when a Lut kernel can be generated for `spec` (called after the
/// checks shared by every strategy), else a sentence naming the problem.
std::string verifyKernelSpec(const KernelSpec &spec);

/// The kernel's source; `spec` has passed verifyKernelSpec.
std::string printKernel(const KernelSpec &spec);

/// The scale, activation and output conversions (ScaleT, loadScale,
/// loadAct, loadOut, storeOut and the f16/bf16 helpers) and, with an
/// epilogue, the `epilogue` function, exactly as the dequant kernels print
/// them. Defined in CpuKernel.cpp, next to the printer it reuses.
std::string printHelpers(const KernelSpec &spec);

/// The end of the kernel's namespace and the opening of its extern "C"
/// entry point (docs/cpu-kernels.md#abi), through its early return for
/// m <= 0, exactly as the dequant kernels print it. Defined in CpuKernel.cpp.
std::string printEntryOpening(const KernelSpec &spec);

/// The statements that store output element y[row, col] from its f32
/// accumulator `acc`: the bias, the epilogue (its operands `ep0`, ...),
/// the conversion to the output type; each line starts with `indent`.
/// Defined in CpuKernel.cpp.
std::string printStore(const KernelSpec &spec, std::string_view indent,
                       std::string_view acc, std::string_view row,
                       std::string_view col);

} // namespace lowbit::cpu::lut

#endif // LOWBIT_LIB_TARGET_CPU_CPULUTKERNEL_H
