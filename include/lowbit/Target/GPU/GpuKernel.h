//===- GpuKernel.h - CUDA and HIP source for mixed-precision matmuls -*- C++ -*-//
//
// The GPU kernel generator: from a kernel specification (formats, scheme,
// shapes, target) it prints one self-contained CUDA C++ or HIP C++ file with
// an `extern "C"` launcher computing y[M, N] = x[M, K] * dequant(W[N, K])^T
// on the tensor cores (mma.sync m16n8k16 on NVIDIA, MFMA 16x16x16 on AMD),
// or, with the lut strategy, by bit-serial lookups in shared-memory tables of
// activation sums, optionally followed by a fused element-wise epilogue, plus
// the host-side function that packs weight codes in the layout the kernel
// reads.
// See docs/gpu-kernels.md for the ABI, the weight layout and the decode
// families. Plain C++17 like the numerics library: no LLVM dependency.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_GPU_GPUKERNEL_H
#define LOWBIT_TARGET_GPU_GPUKERNEL_H

#include "lowbit/Numerics/Pack.h"
#include "lowbit/Numerics/Quantize.h"
#include "lowbit/Target/CPU/CpuKernel.h"

#include <optional>
#include <string>
#include <string_view>

namespace lowbit::gpu {

/// The source language and hardware family a kernel is written for.
enum class Target { CUDA, HIP };
std::optional<Target> parseTarget(std::string_view name); ///< cuda, hip
const char *targetName(Target target);

/// How weight codes become f16/bf16 values in registers.
enum class Decode {
  /// Integer codes (int, uint, ternary): the code is OR-ed into the
  /// mantissa of the magic number 1024 (f16) or 128 (bf16) and the magic
  /// plus the code offset (and an integer zero point) is subtracted: one
  /// shift, one lop3 and one sub per pair of weights.
  Magic,
  /// Float codes whose values are exact in the activation type: the sign,
  /// exponent and mantissa fields move into place and one multiply by
  /// 2^(bias(type) - bias(code)) rebiases the exponent.
  FloatBits,
  /// Any format: each code indexes a table of its value in shared memory.
  Table,
};
const char *decodeName(Decode decode); ///< magic, float-bits, table

/// The work decomposition of a kernel. A warp owns TN tiles of output
/// columns (8 on NVIDIA, 16 on AMD) and loops over K in steps of four
/// 128-code chunks, one per lane group; a block holds WN x WK warps (WN
/// along N, WK splitting K); SPLITK blocks split K again and reduce through
/// a global f32 workspace, the last one applying the epilogue.
/// Lut kernels use WN (32-row weight tiles per block, one per 32 lanes) and
/// SPLITK only; TN and WK must be 1.
struct KernelSpec;

/// `stages` (CUDA tensor-core kernels): 0 keeps the next step's weights in
/// registers (double buffering); S >= 2 streams them through S shared-memory
/// stages with cp.async, S - 1 steps in flight, each lane copying and later
/// reading only its own chunks.
/// `wgmma` (CUDA, sm_90a only): M > 8 runs `kernelWgmma`, which multiplies
/// with wgmma.mma_async m64n16k16, the decoded weights of a warpgroup (four
/// warps along N) as the register A operand and 16 activation rows staged
/// in shared memory as B; needs an even tilesN and warpsN a multiple of 4.
struct TileConfig {
  int tilesN = 4;
  int warpsN = 2;
  int warpsK = 4;
  int splitK = 1;
  int stages = 0;
  bool wgmma = false;
};

/// Bytes of shared memory the cp.async stages of `tile` take (0 without
/// stages): stages x warps x tilesN x 32 lanes x 16 x bits.
int64_t stageBytes(const KernelSpec &spec, const TileConfig &tile);

/// Bytes of the tensor-core kernel's static shared buffer for the block
/// reduction over warps_k (the emitted `red`, which a static_assert in the
/// emitted source ties to this size): warps_k x 16 rows x (block columns +
/// 4 of padding) floats.
int64_t reductionBytes(const KernelSpec &spec, const TileConfig &tile);

/// Bytes of shared memory the wgmma kernel stages activations in (0
/// without wgmma): one step (16 rows x 512 codes of f16) per warpgroup.
int64_t wgmmaActivationBytes(const KernelSpec &spec, const TileConfig &tile);

/// Whether the generator emits `kernelSwapped`, the kernel for M <= 8 with
/// the weights as the mma's A operand: CUDA tensor-core (dequant) kernels
/// whose tiles_n is even (the weights of two tiles fill A's 16 rows).
bool hasSwappedKernel(const KernelSpec &spec, const TileConfig &tile);

/// Everything the generator needs to print one kernel.
struct KernelSpec {
  std::string name = "lowbit_kernel"; ///< The extern "C" symbol.
  Target target = Target::CUDA;
  numerics::Format weight = numerics::Format::signedInt(4);
  numerics::Scheme scheme; ///< groupShape {1, G} over weights [N, K].
  cpu::ScalarType activation = cpu::ScalarType::F16; ///< f16 or bf16.
  cpu::ScalarType output = cpu::ScalarType::F16;
  int64_t n = 0, k = 0; ///< Weights are [N, K]; M is a run-time argument.
  bool bias = false;
  /// Applied to every output element (see cpu::Epilogue); changes the ABI.
  std::optional<cpu::Epilogue> epilogue;
  /// The decomposition; defaultTileConfig(spec) when unset.
  std::optional<TileConfig> tile;
  /// Dequant: decode in registers, multiply on the tensor cores. Lut:
  /// bit-serial lookups in f32 tables of sums of 4 activations (integer and
  /// ternary weights). GPUs have no int8-dot kernel.
  cpu::Strategy strategy = cpu::Strategy::Dequant;
};

/// The weight layout every GPU kernel reads, for codes of `bits` bits: rows
/// of K codes, in numerics::interleavedLayout(bits, 32) when bits divides 32
/// (each 32-bit word holds codes 0,2,4,.. in its low half-word and 1,3,5,..
/// in its high one, so that one mask yields a pair of consecutive codes), a
/// plain bit stream otherwise, then striped (numerics::stripedLayout: runs
/// of four 128-code chunks in 16-byte pieces), so the four lane groups of a
/// warp, each streaming one chunk, read adjacent pieces with each load.
/// The lut strategy reads the CPU lut kernels' bit planes in tiles of 32
/// rows (numerics::planeLayout).
numerics::PackLayout weightLayout(unsigned bits,
                                  cpu::Strategy strategy = cpu::Strategy::Dequant);

/// The decode family a kernel for `spec` uses.
Decode chooseDecode(const KernelSpec &spec);

/// Blocks per multiprocessor a CUDA kernel is built for (the second
/// argument of __launch_bounds__): 2 for the magic-number decode without
/// asymmetric scales when two weight buffers and the other registers fit in
/// half the register file at this tile's thread count, else 1 (ptxas may
/// then use up to 255 registers). 1 for HIP. `swapped`: for the M <= 8
/// kernel with swapped operands, which holds a few more temporaries.
int minBlocksPerMultiprocessor(const KernelSpec &spec, const TileConfig &tile,
                               bool swapped = false);

/// The decomposition the generator picks for `spec` when it sets none:
/// sized to stream the weights of an H100-class GPU (132 SMs) at small M.
TileConfig defaultTileConfig(const KernelSpec &spec);

/// Activation rows one lut block builds tables for and multiplies: 1, 2 or
/// 4, the kernel instance the launcher picks for `m` rows.
int lutRowsPerBlock(int64_t m);

/// Columns of output one tile holds: 8 (CUDA mma n8), 16 (MFMA 16x16).
int tileColumns(Target target);

/// Why GPU kernels cannot use `strategy`, or "" when they can: int8-dot and
/// bf16-dot are CPU strategies (x86 integer and bf16 dot products). The one
/// wording of the refusal, which the pass, the GPU translation, lowbit-bench
/// and verifyKernelSpec all give.
std::string strategyError(cpu::Strategy strategy);

/// Checks that a kernel can be generated for `spec`: f16/bf16 activations,
/// K a multiple of 128, group shape [1, G] with G dividing K and G dividing
/// 128 or a multiple of it, every weight value finite in the activation
/// type, a sane decomposition. The lut strategy instead takes integer and
/// ternary weights, any K, and G a multiple of 8. Returns "" or a sentence
/// naming the problem.
std::string verifyKernelSpec(const KernelSpec &spec);

/// The kernel's source, or an error naming what cannot be generated.
cpu::EmitResult emitGpuKernel(const KernelSpec &spec);

} // namespace lowbit::gpu

#endif // LOWBIT_TARGET_GPU_GPUKERNEL_H
