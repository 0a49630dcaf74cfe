//===- CpuKernel.h - C++ source for CPU mixed-precision matmuls -*- C++ -*-===//
//
// The CPU kernel generator: from a kernel specification (formats, scheme,
// shapes, ISA) it prints one self-contained C++ source file with an
// `extern "C"` entry point computing y[M, N] = x[M, K] * dequant(W[N, K])^T.
// See docs/cpu-kernels.md for the ABI, the weight layout and the decode
// strategies. Plain C++17 like the numerics library: no LLVM dependency.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_CPU_CPUKERNEL_H
#define LOWBIT_TARGET_CPU_CPUKERNEL_H

#include "lowbit/Numerics/Pack.h"
#include "lowbit/Numerics/Quantize.h"

#include <optional>
#include <string>
#include <string_view>

namespace lowbit::cpu {

/// The instruction set a kernel is written for.
enum class Isa { Scalar, AVX2, AVX512 };
std::optional<Isa> parseIsa(std::string_view name); ///< scalar, avx2, avx512
const char *isaName(Isa isa);
/// The compiler flags (GCC and Clang) that enable `isa`, e.g. "-mavx2 -mfma".
const char *isaCompileFlags(Isa isa);
/// Vector lanes of 32 bits (the weight layout's lane count): 16, 8, 16.
unsigned isaLanes(Isa isa);

/// Element type of activations and outputs in memory.
enum class ScalarType { F32, F16, BF16 };
std::optional<ScalarType> parseScalarType(std::string_view name);
const char *scalarTypeName(ScalarType type);

/// Everything the generator needs to print one kernel.
struct KernelSpec {
  std::string name = "lowbit_kernel"; ///< The extern "C" symbol.
  Isa isa = Isa::AVX512;
  numerics::Format weight = numerics::Format::signedInt(4);
  numerics::Scheme scheme; ///< groupShape {1, G} over weights [N, K].
  ScalarType activation = ScalarType::F32;
  ScalarType output = ScalarType::F32;
  int64_t n = 0, k = 0; ///< Weights are [N, K]; M is a run-time argument.
  bool bias = false;
};

/// The group size along K of the spec's scheme.
int64_t groupSize(const KernelSpec &spec);

/// The packed weight layout a kernel for `spec` reads: rows of K codes in
/// numerics::laneLayout(bits, 32, isaLanes(isa)).
numerics::PackLayout weightLayout(const KernelSpec &spec);

/// Checks that a kernel can be generated for `spec`: shapes, group shape
/// [1, G] dividing K, vector paths needing G to be a multiple of the lane
/// count, supported formats. Returns "" or a sentence naming the problem.
std::string verifyKernelSpec(const KernelSpec &spec);

/// The kernel's C++ source, or an error naming what cannot be generated.
struct EmitResult {
  std::string source;
  std::string error; ///< Empty on success.
};
EmitResult emitCpuKernel(const KernelSpec &spec);

} // namespace lowbit::cpu

#endif // LOWBIT_TARGET_CPU_CPUKERNEL_H
