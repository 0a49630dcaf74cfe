//===- GpuKernel.cpp - CUDA and HIP source for mixed-precision matmuls ----===//
//
// Prints one self-contained CUDA C++ or HIP C++ file per kernel. Weights
// stream from global memory straight into registers (each lane loads whole
// 128-code chunks of one weight row with 16-byte loads; the four chunks a
// warp's lane groups read at once are striped, so each load instruction
// reads adjacent 16-byte pieces), are decoded there to
// f16/bf16 pairs with the group's scale and zero point applied, and feed the
// tensor cores as the B operand; activations are the A operand. Because the
// reduction order over K is free, lane group q of a warp owns the K slots
// {2q, 2q+1, 2q+8, 2q+9} of mma m16n8k16 (slots 4q..4q+3 of MFMA 16x16x16)
// and maps them to four *consecutive* codes of its own chunk, so a weight
// row needs no fragment permutation: only the pair interleave inside words.
// The loop structure is shared by both targets; the target-specific pieces
// are the pair arithmetic, the matrix instruction and the fragment mapping.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/GPU/GpuKernel.h"

#include "GpuPrinter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

using namespace lowbit;
using namespace lowbit::gpu;
using cpu::ScalarType;
using numerics::FormatKind;
using numerics::ZeroPointMode;
using detail::cat;
using detail::isBF16;
using detail::isIntegerFormat;

//===----------------------------------------------------------------------===//
// Names and choices
//===----------------------------------------------------------------------===//

std::optional<Target> lowbit::gpu::parseTarget(std::string_view name) {
  for (Target target : {Target::CUDA, Target::HIP})
    if (name == targetName(target))
      return target;
  return std::nullopt;
}

const char *lowbit::gpu::targetName(Target target) {
  return target == Target::CUDA ? "cuda" : "hip";
}

const char *lowbit::gpu::decodeName(Decode decode) {
  switch (decode) {
  case Decode::Magic:
    return "magic";
  case Decode::FloatBits:
    return "float-bits";
  case Decode::Table:
    return "table";
  }
  return "unknown";
}

numerics::PackLayout lowbit::gpu::weightLayout(unsigned bits,
                                               cpu::Strategy strategy) {
  if (strategy == cpu::Strategy::Lut)
    return numerics::planeLayout(bits);
  numerics::PackLayout layout;
  layout.bits = bits;
  layout.wordBits = 32;
  if (32 % bits == 0)
    layout = numerics::interleavedLayout(bits, 32);
  // The four lane groups of a warp stream chunks 4s..4s+3 of the same rows:
  // striped, each 16-byte load of the warp reads 64 adjacent bytes per row.
  return numerics::stripedLayout(layout, /*run=*/4, /*chunkCodes=*/128,
                                 /*pieceWords=*/4);
}

int lowbit::gpu::tileColumns(Target target) {
  return target == Target::CUDA ? 8 : 16;
}


namespace {
/// Mantissa bits and exponent bias of the activation type.
int typeMantissa(const KernelSpec &spec) { return isBF16(spec) ? 7 : 10; }
int typeBias(const KernelSpec &spec) { return isBF16(spec) ? 127 : 15; }

/// `value` rounded to f16 or bf16 (to nearest even), as a double.
double roundToType(double value, bool bf16) {
  if (std::isnan(value) || std::isinf(value))
    return value;
  if (value == 0.0)
    return value;
  int exponent;
  std::frexp(value, &exponent); // value = f * 2^exponent, f in [0.5, 1)
  int mantissa = bf16 ? 7 : 10, minExponent = bf16 ? -125 : -13;
  int maxExponent = bf16 ? 128 : 16;
  // Spacing of representable values around `value` (subnormals included).
  int quantum = std::max(exponent, minExponent) - 1 - mantissa;
  double scaled = std::nearbyint(std::ldexp(value, -quantum));
  double rounded = std::ldexp(scaled, quantum);
  double largest = std::ldexp(2.0 - std::ldexp(1.0, -mantissa), maxExponent - 1);
  if (std::fabs(rounded) > largest)
    return value > 0 ? HUGE_VAL : -HUGE_VAL;
  return rounded;
}

/// The code offset the Magic decode subtracts: value = code - offset.
int magicOffset(const numerics::Format &format) {
  switch (format.kind()) {
  case FormatKind::SignedInt:
    return 1 << (format.bits() - 1); // after flipping the sign bit
  case FormatKind::Ternary:
    return 1;
  default:
    return 0;
  }
}
} // namespace

Decode lowbit::gpu::chooseDecode(const KernelSpec &spec) {
  const numerics::Format &format = spec.weight;
  unsigned bits = format.bits();
  // 1024 + code is exact in f16 for codes below 1024; 128 + code in bf16
  // for codes below 128.
  if (isIntegerFormat(format) && (!isBF16(spec) || bits <= 7))
    return Decode::Magic;
  if (format.kind() == FormatKind::Float) {
    const numerics::FloatSpec &fs = format.floatSpec();
    int typeExponent = isBF16(spec) ? 8 : 5;
    bool exact = true;
    for (uint32_t code = 0; code < (1u << bits); ++code)
      if (format.isFiniteCode(code)) {
        double value = format.decode(code);
        exact &= roundToType(value, isBF16(spec)) == value;
      }
    // The fields fit the type's and every value survives the rebias.
    if (exact && int(fs.exponentBits) <= typeExponent &&
        int(fs.mantissaBits) <= typeMantissa(spec))
      return Decode::FloatBits;
  }
  return Decode::Table;
}

TileConfig lowbit::gpu::defaultTileConfig(const KernelSpec &spec) {
  TileConfig tile;
  if (spec.strategy == cpu::Strategy::Lut) {
    // Four 32-row tiles (128 threads) a block; split K until about two
    // blocks per multiprocessor of a 132-SM GPU, keeping at least one stage
    // of 256 activations per block.
    tile.tilesN = 1;
    tile.warpsN = 4;
    tile.warpsK = 1;
    int64_t blocksN = (spec.n + 127) / 128;
    int64_t stages = std::max<int64_t>(1, (spec.k + 255) / 256);
    int64_t wanted = (264 + blocksN - 1) / blocksN;
    tile.splitK = int(std::clamp<int64_t>(
        wanted, 1, std::min<int64_t>(stages, 64)));
    return tile;
  }
  unsigned bits = spec.weight.bits();
  bool cuda = spec.target == Target::CUDA;
  // A lane holds 4 * bits words per tile: at most 64 words of weights.
  // Kernels are built for one block per multiprocessor (__launch_bounds__
  // minimum 1), so ptxas may use up to 255 registers; float-bit and table
  // decodes and asymmetric scales need more temporaries per weight pair and
  // take two tiles, which keeps them out of spills on sm_80 and sm_90a.
  bool lightDecode = chooseDecode(spec) == Decode::Magic &&
                     spec.scheme.zeroPoint != ZeroPointMode::AsymFloat;
  tile.tilesN = cuda ? (bits <= 4 && lightDecode ? 4 : 2)
                     : (bits <= 4 ? 2 : 1);
  tile.warpsN = 2;
  tile.warpsK = 4;
  int64_t columns = int64_t(tileColumns(spec.target)) * tile.tilesN *
                    tile.warpsN;
  int64_t blocksN = (spec.n + columns - 1) / columns;
  // About one block per multiprocessor of a 132-SM GPU (the double-buffered
  // weights hold most registers): split K only when N gives too few
  // blocks, keeping at least two 4-chunk steps per warp for the pipeline.
  int64_t steps = (spec.k / 128 + 3) / 4;
  int64_t maxSplit = std::max<int64_t>(1, steps / (2 * tile.warpsK));
  int64_t wanted = (119 + blocksN - 1) / blocksN;
  tile.splitK = int(std::clamp<int64_t>(wanted, 1, std::min<int64_t>(
                                                       maxSplit, 64)));
  return tile;
}

int lowbit::gpu::lutRowsPerBlock(int64_t m) {
  return m <= 1 ? 1 : m == 2 ? 2 : 4;
}

int lowbit::gpu::minBlocksPerMultiprocessor(const KernelSpec &spec,
                                            const TileConfig &tile,
                                            bool swapped) {
  if (spec.target != Target::CUDA)
    return 1;
  // Only the magic-number decode: asymmetric scales spill at half the
  // register file even with 2-bit codes, and float-bit and table decodes
  // gained nothing on an H100 (e2m1, 2 tiles: 27.7 vs 28.0 us at M = 1,
  // 52.3 vs 52.0 at M = 16), so they keep the registers.
  if (chooseDecode(spec) != Decode::Magic ||
      spec.scheme.zeroPoint == ZeroPointMode::AsymFloat)
    return 1;
  // Registers per lane: two buffers of tilesN * 4 * bits weight words (one
  // with cp.async stages, which hold the next steps in shared memory) and
  // about 32 for accumulators, activations and addresses. Two blocks' stages
  // must also fit in an SM's shared memory (227 KiB on sm_90, 163 on sm_80).
  int threads = 32 * tile.warpsN * tile.warpsK;
  int buffers = tile.stages > 0 ? 1 : 2;
  // The swapped kernel decodes two slots' four pairs before each mma: a few
  // more temporaries live at once (without them the 3-bit kernels with zero
  // points spilled at 128 registers on sm_90a).
  int estimate = buffers * tile.tilesN * 4 * int(spec.weight.bits()) + 32 +
                 (swapped ? 8 : 0);
  // Two blocks' stages and reduction buffers must fit in an sm_80 SM.
  if (2 * (stageBytes(spec, tile) + reductionBytes(spec, tile)) > 163 * 1024)
    return 1;
  return estimate <= 65536 / (2 * threads) ? 2 : 1;
}

int64_t lowbit::gpu::stageBytes(const KernelSpec &spec,
                                const TileConfig &tile) {
  if (tile.stages <= 0)
    return 0;
  return int64_t(tile.stages) * tile.warpsN * tile.warpsK * tile.tilesN * 32 *
         16 * int64_t(spec.weight.bits());
}

int64_t lowbit::gpu::reductionBytes(const KernelSpec &spec,
                                    const TileConfig &tile) {
  int64_t blockColumns =
      int64_t(tileColumns(spec.target)) * tile.tilesN * tile.warpsN;
  return int64_t(tile.warpsK) * 16 * (blockColumns + 4) *
         int64_t(sizeof(float));
}

int64_t lowbit::gpu::wgmmaActivationBytes(const KernelSpec &spec,
                                          const TileConfig &tile) {
  (void)spec;
  if (!tile.wgmma)
    return 0;
  // 16 rows x 4 chunks of 128 f16 codes per warpgroup of 4 warps.
  return int64_t(tile.warpsN) * tile.warpsK / 4 * 16 * 512 * 2;
}

bool lowbit::gpu::hasSwappedKernel(const KernelSpec &spec,
                                   const TileConfig &tile) {
  return spec.target == Target::CUDA && spec.strategy != cpu::Strategy::Lut &&
         tile.tilesN % 2 == 0;
}

std::string lowbit::gpu::strategyError(cpu::Strategy strategy) {
  if (strategy != cpu::Strategy::Int8Dot && strategy != cpu::Strategy::Bf16Dot)
    return "";
  return std::string("cannot use the ") + cpu::strategyName(strategy) +
         " strategy on a GPU: it is a CPU strategy; use dequant or lut";
}

std::string lowbit::gpu::verifyKernelSpec(const KernelSpec &spec) {
  std::string nameError = cpu::verifyKernelName(spec.name);
  if (!nameError.empty())
    return nameError;
  if (spec.activation == ScalarType::F32)
    return "GPU kernels take f16 or bf16 activations (the tensor cores' "
           "operand types), not f32";
  if (spec.n < 1 || spec.k < 1)
    return "the weight shape [" + std::to_string(spec.n) + ", " +
           std::to_string(spec.k) + "] must be positive";
  if (std::string error = strategyError(spec.strategy); !error.empty())
    return error;
  bool lut = spec.strategy == cpu::Strategy::Lut;
  if (lut && !isIntegerFormat(spec.weight))
    return "the lut strategy takes integer and ternary weights, not " +
           spec.weight.name() + "; use the dequant strategy";
  if (!lut && spec.k % 128 != 0)
    return "GPU kernels need K to be a multiple of 128 (lanes load whole "
           "128-code chunks), got K = " +
           std::to_string(spec.k);
  if (spec.n > (int64_t(1) << 30) || spec.k > (int64_t(1) << 30))
    return "the weight shape [" + std::to_string(spec.n) + ", " +
           std::to_string(spec.k) + "] is too large (at most 2^30 per "
           "dimension)";
  const std::vector<int64_t> &group = spec.scheme.groupShape;
  if (group.size() != 2 || group[0] != 1)
    return "GPU kernels take schemes grouped along K only (group [1, G])";
  std::string error =
      numerics::verifyScheme({spec.n, spec.k}, spec.weight, spec.scheme);
  if (!error.empty())
    return error;
  int64_t g = group[1];
  if (lut && g % 8 != 0)
    return "the lut strategy needs a group size that is a multiple of 8 (a "
           "byte of index nibbles spans two tables of 4 activations), got " +
           std::to_string(g) + "; use the dequant strategy";
  if (!lut && (g % 4 != 0 || (128 % g != 0 && g % 128 != 0)))
    return "GPU kernels need a group size that divides 128 or is a multiple "
           "of 128 (and is a multiple of 4), got " +
           std::to_string(g);
  bool bf16 = isBF16(spec);
  // Lut kernels never hold a weight value in the activation type.
  for (uint32_t code = 0; !lut && code < (1u << spec.weight.bits()); ++code) {
    if (!spec.weight.isFiniteCode(code))
      continue;
    double value = spec.weight.decode(code);
    if (std::isinf(roundToType(value, bf16)))
      return "weight code " + std::to_string(code) + " decodes to " +
             std::to_string(value) + ", which overflows " +
             (bf16 ? "bf16" : "f16") + " activations' type" +
             (bf16 ? "" : "; use bf16 activations");
  }
  if (spec.epilogue && spec.epilogue->body.empty())
    return "the epilogue body is empty; it must assign the output element "
           "to `out`";
  TileConfig tile = spec.tile ? *spec.tile : defaultTileConfig(spec);
  if (lut && tile.wgmma)
    return "the lut kernel has no wgmma form (it multiplies by table "
           "lookups); --gpu-tile's sixth number must be 0";
  if (lut) {
    if (tile.tilesN != 1 || tile.warpsK != 1 || tile.warpsN < 1 ||
        tile.warpsN > 32 || tile.splitK < 1 || tile.splitK > 65535)
      return "the lut kernel's tile configuration (tilesN " +
             std::to_string(tile.tilesN) + ", warpsN " +
             std::to_string(tile.warpsN) + ", warpsK " +
             std::to_string(tile.warpsK) + ", splitK " +
             std::to_string(tile.splitK) +
             ") is out of range: tilesN and warpsK 1, warpsN (32-row tiles "
             "per block) 1..32, splitK 1..65535";
    return "";
  }
  int warpSize = spec.target == Target::CUDA ? 32 : 64;
  int threads = warpSize * tile.warpsN * tile.warpsK;
  if (tile.tilesN < 1 || tile.tilesN > 8 || tile.warpsN < 1 ||
      tile.warpsK < 1 || tile.splitK < 1 || threads > 1024 ||
      tile.splitK > 65535)
    return "the tile configuration (tilesN " + std::to_string(tile.tilesN) +
           ", warpsN " + std::to_string(tile.warpsN) + ", warpsK " +
           std::to_string(tile.warpsK) + ", splitK " +
           std::to_string(tile.splitK) +
           ") is out of range: 1..8 tiles, at most 1024 threads per block";
  if (tile.stages != 0) {
    if (spec.target != Target::CUDA)
      return "cp.async stages (" + std::to_string(tile.stages) +
             ") are for CUDA kernels; HIP kernels take 0";
    if (tile.stages < 2 || tile.stages > 8)
      return "the number of cp.async stages must be 0 (weights double-"
             "buffered in registers) or 2..8, got " +
             std::to_string(tile.stages);
    // The shared memory an sm_80 block may take (163 KiB; sm_90 allows
    // 227), less the block reduction's static buffer.
    int64_t limit = (tile.wgmma ? 227 : 163) * 1024 -
                    reductionBytes(spec, tile) -
                    wgmmaActivationBytes(spec, tile);
    if (stageBytes(spec, tile) > limit)
      return "the cp.async stages take " +
             std::to_string(stageBytes(spec, tile)) +
             " bytes of shared memory (stages x warps x tilesN x 512 x "
             "bits), more than the " +
             std::to_string(limit) +
             (tile.wgmma ? " an sm_90 block has beside the reduction buffer "
                           "and the wgmma activations"
                         : " an sm_80 block has beside the reduction buffer") +
             "; use fewer stages, warps or tiles";
  }
  if (tile.wgmma) {
    if (spec.target != Target::CUDA)
      return "wgmma is an sm_90a instruction: HIP kernels take 0 as "
             "--gpu-tile's sixth number";
    if (tile.tilesN % 2 != 0 || tile.warpsN % 4 != 0)
      return "the wgmma kernel needs an even tilesN (two tiles fill a warp's "
             "16 rows of A) and warpsN a multiple of 4 (a warpgroup is four "
             "warps along N), got tilesN " +
             std::to_string(tile.tilesN) + ", warpsN " +
             std::to_string(tile.warpsN);
    int64_t bytes = reductionBytes(spec, tile) + stageBytes(spec, tile) +
                    wgmmaActivationBytes(spec, tile);
    if (bytes > 227 * 1024)
      return "the wgmma kernel takes " + std::to_string(bytes) +
             " bytes of shared memory (reduction, stages and 16 KiB of "
             "activations per warpgroup), more than the 232448 of an sm_90 "
             "block; use fewer warps or stages";
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Source printer
//===----------------------------------------------------------------------===//

namespace lowbit::gpu::detail {
void GpuPrinter::printHeader() {
  const numerics::Scheme &scheme = spec.scheme;
  std::string lang = cuda ? "CUDA" : "HIP";
  os << "// " << spec.name << ": " << lang << " C++ generated by lowbit ("
     << (cuda ? "--emit-cuda" : "--emit-hip") << ").\n"
     << "//   y[M, N] = "
     << (spec.epilogue ? "epilogue(x[M, K] * dequant(W[N, K])^T (+ bias))"
                       : "x[M, K] * dequant(W[N, K])^T (+ bias)")
     << "\n//   weights: " << spec.weight.name() << " [N = " << spec.n
     << ", K = " << spec.k << "], group [1, " << group << "], scale "
     << numerics::scaleTypeName(scheme.scaleType) << ", zero "
     << numerics::zeroPointModeName(scheme.zeroPoint)
     << (scheme.tensorScale ? ", tensor scale" : "") << "\n"
     << "//   activations " << cpu::scalarTypeName(spec.activation)
     << ", output " << cpu::scalarTypeName(spec.output)
     << ", f32 accumulation\n"
     << (lut ? cat("//   strategy: lut (bit-serial lookups in f32 tables of "
                   "4 activations); ",
                   tile.warpsN, " tiles of 32 rows per block, split-K ",
                   tile.splitK, "\n")
             : cat("//   decode: ", decodeName(decode), "; tiles ", tile.tilesN,
                   " x ", tileColumns(spec.target), " columns per warp, warps ",
                   tile.warpsN, " (N) x ", tile.warpsK, " (K), split-K ",
                   tile.splitK,
                   tile.stages ? cat(", cp.async stages ", tile.stages) : "",
                   swapped ? "; M <= 8 with swapped operands" : "",
                   wgmma ? "; M > 8 on wgmma (sm_90a)" : "", "\n"))
     << "// Entry points (docs/gpu-kernels.md):\n"
     << "//   int " << spec.name
     << "(x, m, w, scales, zeros, negScales, tensorScale, bias, y, "
        "workspace"
     << (spec.epilogue ? ", epilogueOperands" : "") << ", stream)\n"
     << "//   size_t " << spec.name << "_workspace_bytes(int64_t m)\n"
     << "//   void " << spec.name
     << "_pack_weights(const uint8_t *codes, uint32_t *words)\n"
     << "//   size_t " << spec.name << "_packed_words(void)\n";
  if (cuda)
    os << "#include <cuda_bf16.h>\n#include <cuda_fp16.h>\n"
          "#include <cuda_runtime.h>\n";
  else
    os << "#include <hip/hip_runtime.h>\n";
  os << "#include <stddef.h>\n#include <stdint.h>\n#include <string.h>\n\n"
     << "namespace " << spec.name << "_impl {\n\n";
}

void GpuPrinter::printConstants() {
  int warp = cuda ? 32 : 64;
  os << "constexpr int N = " << spec.n << ", K = " << spec.k
     << ", G = " << group << ", GROUPS = K / G;\n"
     << "constexpr int BITS = " << bits
     << ", WPR = K / 32 * BITS; // packed 32-bit words per weight row\n"
     << "constexpr int KCH = K / 128, CW = 4 * BITS; // 128-code chunks per "
        "row, words per chunk\n"
     << "constexpr int TN = " << tile.tilesN << ", WN = " << tile.warpsN
     << ", WK = " << tile.warpsK << ", SPLITK = " << tile.splitK << ";\n"
     << "constexpr int WARP = " << warp
     << ", TILE = " << tileColumns(spec.target)
     << "; // lanes per warp, columns per tile\n"
     << "constexpr int BLOCK_COLS = TILE * TN * WN, THREADS = WARP * WN * WK;\n"
     << "// Chunks per split-K block, in whole steps of 4 chunks.\n"
     << "constexpr int CPS = ((KCH + SPLITK - 1) / SPLITK + 3) / 4 * 4;\n"
     << "constexpr int RED_STRIDE = BLOCK_COLS + 4; // padded against bank "
        "conflicts\n"
     << "constexpr int BLOCKS_N = (N + BLOCK_COLS - 1) / BLOCK_COLS;\n";
  if (tile.stages)
    os << "// cp.async stages of weights in shared memory; uint4s per stage.\n"
       << "constexpr int STAGES = " << tile.stages
       << ", STAGE_STRIDE = WN * WK * TN * (CW / 4) * WARP;\n"
       << "constexpr size_t STAGE_BYTES = sizeof(uint4) * STAGES * "
          "STAGE_STRIDE;\n";
  if (wgmma)
    os << "// wgmma: each warpgroup's step of activations (16 rows x 4 chunks "
          "of f16) in\n"
       << "// the dynamic shared memory after the stages.\n"
       << "constexpr int WGROUPS = THREADS / 128, XS_WORDS = 16 * 512 / 2;\n"
       << "constexpr size_t XS_OFFSET = " << (tile.stages ? "STAGE_BYTES" : "0")
       << ", DYN_BYTES = XS_OFFSET + sizeof(uint32_t) * WGROUPS * "
          "XS_WORDS;\n"
       << "static_assert(DYN_BYTES == "
       << stageBytes(spec, tile) + wgmmaActivationBytes(spec, tile)
       << ", \"gpu::stageBytes + gpu::wgmmaActivationBytes\");\n";
  os << "\n";
}

void GpuPrinter::printConversions() {
  if (cuda) {
    os << "#define LB_DEV __device__ __forceinline__\n"
       << R"(LB_DEV float loadPartial(const float *p) { return __ldcg(p); }
LB_DEV float f16ToF32(uint16_t h) { return __half2float(__ushort_as_half(h)); }
LB_DEV float bf16ToF32(uint16_t h) { return __uint_as_float(uint32_t(h) << 16); }
LB_DEV uint16_t f32ToF16(float f) { return __half_as_ushort(__float2half_rn(f)); }
LB_DEV uint16_t f32ToBF16(float f) { return __bfloat16_as_ushort(__float2bfloat16_rn(f)); }
LB_DEV float bitsToFloat(uint32_t b) { return __uint_as_float(b); }
)";
    return;
  }
  os << "#define LB_DEV __device__ __attribute__((always_inline)) inline\n"
     << R"(LB_DEV float bitsToFloat(uint32_t b) { return __builtin_bit_cast(float, b); }
LB_DEV uint32_t floatToBits(float f) { return __builtin_bit_cast(uint32_t, f); }
LB_DEV float f16ToF32(uint16_t h) { return float(__builtin_bit_cast(_Float16, h)); }
LB_DEV float bf16ToF32(uint16_t h) { return bitsToFloat(uint32_t(h) << 16); }
LB_DEV uint16_t f32ToF16(float f) { return __builtin_bit_cast(uint16_t, _Float16(f)); }
LB_DEV uint16_t f32ToBF16(float f) {
  uint32_t b = floatToBits(f);
  if ((b & 0x7fffffffu) > 0x7f800000u) return uint16_t((b >> 16) | 0x40u);
  return uint16_t((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
}
LB_DEV float loadPartial(const float *p) { return __hip_atomic_load(p, __ATOMIC_RELAXED, __HIP_MEMORY_SCOPE_AGENT); }
)";
}

void GpuPrinter::printPairHelpers() {
  bool bf16 = isBF16(spec);
  if (cuda) {
    const char *p2 = bf16 ? "__nv_bfloat162" : "__half2";
    os << "typedef " << p2 << " P2;\n"
       << R"(// Pairs of f16/bf16 values travel as the 32-bit registers the tensor
// cores read.
LB_DEV P2 asP2(uint32_t v) { return *reinterpret_cast<P2 *>(&v); }
LB_DEV uint32_t asU32(P2 v) { return *reinterpret_cast<uint32_t *>(&v); }
LB_DEV uint32_t pSub(uint32_t a, uint32_t b) { return asU32(__hsub2(asP2(a), asP2(b))); }
LB_DEV uint32_t pMul(uint32_t a, uint32_t b) { return asU32(__hmul2(asP2(a), asP2(b))); }
LB_DEV uint32_t pFma(uint32_t a, uint32_t b, uint32_t c) { return asU32(__hfma2(asP2(a), asP2(b), asP2(c))); }
LB_DEV uint32_t pMax0(uint32_t a) { return asU32(__hmax2(asP2(a), asP2(0u))); }
LB_DEV uint32_t pMin0(uint32_t a) { return asU32(__hmin2(asP2(a), asP2(0u))); }
)";
    os << "LB_DEV uint32_t pBroadcast(float f) { return asU32("
       << (bf16 ? "__float2bfloat162_rn" : "__float2half2_rn") << "(f)); }\n";
    // lowbit-bench --emulate-gpu compiles the kernel for CPU threads
    // (tools/lowbit-bench/GpuEmulator.h), where inline PTX has no meaning:
    // the same three operations in C++ stand in for it there.
    os << "#ifdef LOWBIT_GPU_EMULATION\n"
       << "LB_DEV void mma(float (&c)[4], uint32_t a0, uint32_t a1, uint32_t "
          "a2, uint32_t a3, uint32_t b0, uint32_t b1) {\n"
       << "  lbemu::mmaM16N8K16<" << (bf16 ? "__nv_bfloat16" : "__half")
       << ">(c, a0, a1, a2, a3, b0, b1);\n}\n"
       << R"(template <uint32_t MASK, uint32_t X> LB_DEV uint32_t andXor(uint32_t a) { return (a & MASK) ^ X; }
LB_DEV uint4 loadStream(const uint4 *p) { return *p; }
#else
)"
       << "// acc += A (16x16, row) * B (16x8, col) on the tensor cores.\n"
       << "LB_DEV void mma(float (&c)[4], uint32_t a0, uint32_t a1, uint32_t "
          "a2, uint32_t a3, uint32_t b0, uint32_t b1) {\n"
       << "  asm volatile(\"mma.sync.aligned.m16n8k16.row.col.f32."
       << (bf16 ? "bf16.bf16" : "f16.f16")
       << ".f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\\n\"\n"
       << "               : \"+f\"(c[0]), \"+f\"(c[1]), \"+f\"(c[2]), "
          "\"+f\"(c[3])\n"
       << "               : \"r\"(a0), \"r\"(a1), \"r\"(a2), \"r\"(a3), "
          "\"r\"(b0), \"r\"(b1));\n}\n"
       << R"(// (a & MASK) ^ X in one instruction.
template <uint32_t MASK, uint32_t X> LB_DEV uint32_t andXor(uint32_t a) {
  uint32_t r;
  asm("lop3.b32 %0, %1, %2, %3, 0x6a;\n" : "=r"(r) : "r"(a), "n"(MASK), "n"(X));
  return r;
}
// Weights are read once: keep them out of L1.
LB_DEV uint4 loadStream(const uint4 *p) {
  uint4 v;
  asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
  return v;
}
#endif
LB_DEV uint4 loadAct(const uint4 *p) { return __ldg(p); }
)";
    return;
  }
  os << R"(typedef _Float16 H2 __attribute__((ext_vector_type(2)));
typedef _Float16 H4 __attribute__((ext_vector_type(4)));
typedef short S4 __attribute__((ext_vector_type(4)));
typedef float F4 __attribute__((ext_vector_type(4)));
)";
  if (!bf16) {
    os << R"(// Pairs of f16 values travel as 32-bit registers (packed v_pk_* math).
LB_DEV H2 asH2(uint32_t v) { return __builtin_bit_cast(H2, v); }
LB_DEV uint32_t asU32(H2 v) { return __builtin_bit_cast(uint32_t, v); }
LB_DEV uint32_t pSub(uint32_t a, uint32_t b) { return asU32(asH2(a) - asH2(b)); }
LB_DEV uint32_t pMul(uint32_t a, uint32_t b) { return asU32(asH2(a) * asH2(b)); }
LB_DEV uint32_t pFma(uint32_t a, uint32_t b, uint32_t c) { return asU32(asH2(a) * asH2(b) + asH2(c)); }
LB_DEV uint32_t pMax0(uint32_t a) { H2 v = asH2(a); H2 z = {0, 0}; return asU32(v > z ? v : z); }
LB_DEV uint32_t pMin0(uint32_t a) { H2 v = asH2(a); H2 z = {0, 0}; return asU32(v < z ? v : z); }
LB_DEV uint32_t pBroadcast(float f) { H2 v = {_Float16(f), _Float16(f)}; return asU32(v); }
LB_DEV void mma(F4 &c, uint32_t a01, uint32_t a23, uint32_t b01, uint32_t b23) {
  H4 a = __builtin_bit_cast(H4, (uint64_t(a23) << 32) | a01);
  H4 b = __builtin_bit_cast(H4, (uint64_t(b23) << 32) | b01);
  c = __builtin_amdgcn_mfma_f32_16x16x16f16(a, b, c, 0, 0, 0);
}
)";
  } else {
    os << R"(// Pairs of bf16 values travel as 32-bit registers; arithmetic goes through
// f32 and rounds back to bf16 (to nearest even).
LB_DEV uint32_t pack2(float lo, float hi) { return uint32_t(f32ToBF16(lo)) | (uint32_t(f32ToBF16(hi)) << 16); }
LB_DEV float lo(uint32_t v) { return bitsToFloat(v << 16); }
LB_DEV float hi(uint32_t v) { return bitsToFloat(v & 0xffff0000u); }
LB_DEV uint32_t pSub(uint32_t a, uint32_t b) { return pack2(lo(a) - lo(b), hi(a) - hi(b)); }
LB_DEV uint32_t pMul(uint32_t a, uint32_t b) { return pack2(lo(a) * lo(b), hi(a) * hi(b)); }
LB_DEV uint32_t pFma(uint32_t a, uint32_t b, uint32_t c) { return pack2(__builtin_fmaf(lo(a), lo(b), lo(c)), __builtin_fmaf(hi(a), hi(b), hi(c))); }
LB_DEV uint32_t pMax0(uint32_t a) { return pack2(lo(a) > 0.0f ? lo(a) : 0.0f, hi(a) > 0.0f ? hi(a) : 0.0f); }
LB_DEV uint32_t pMin0(uint32_t a) { return pack2(lo(a) < 0.0f ? lo(a) : 0.0f, hi(a) < 0.0f ? hi(a) : 0.0f); }
LB_DEV uint32_t pBroadcast(float f) { return pack2(f, f); }
LB_DEV void mma(F4 &c, uint32_t a01, uint32_t a23, uint32_t b01, uint32_t b23) {
  S4 a = __builtin_bit_cast(S4, (uint64_t(a23) << 32) | a01);
  S4 b = __builtin_bit_cast(S4, (uint64_t(b23) << 32) | b01);
  c = __builtin_amdgcn_mfma_f32_16x16x16bf16_1k(a, b, c, 0, 0, 0);
}
)";
  }
  os << R"(LB_DEV uint4 loadStream(const uint4 *p) { return *p; }
LB_DEV uint4 loadAct(const uint4 *p) { return *p; }
)";
}

void GpuPrinter::printScaleAndTypes() {
  numerics::ScaleType scaleType = spec.scheme.scaleType;
  switch (scaleType) {
  case numerics::ScaleType::F32:
    os << "typedef float ScaleT;\nLB_DEV float loadScale(float v) { return "
          "v; }\n";
    break;
  case numerics::ScaleType::F16:
    os << "typedef uint16_t ScaleT;\nLB_DEV float loadScale(uint16_t v) { "
          "return f16ToF32(v); }\n";
    break;
  case numerics::ScaleType::BF16:
    os << "typedef uint16_t ScaleT;\nLB_DEV float loadScale(uint16_t v) { "
          "return bf16ToF32(v); }\n";
    break;
  case numerics::ScaleType::E8M0:
    os << "typedef uint8_t ScaleT;\n"
       << "// e8m0: 2^(code - 127); code 255 is NaN.\n"
       << "LB_DEV float loadScale(uint8_t v) {\n"
       << "  return bitsToFloat(v == 255 ? 0x7fc00000u : v == 0 ? "
          "0x00400000u : uint32_t(v) << 23);\n}\n";
    break;
  case numerics::ScaleType::E4M3:
    os << "typedef uint8_t ScaleT;\n"
       << "// e4m3 (fn): bias 7, subnormals, S.1111.111 is NaN.\n"
       << "LB_DEV float loadScale(uint8_t v) {\n"
       << "  const uint32_t s = uint32_t(v >> 7) << 31, e = (v >> 3) & 15u, "
          "m = v & 7u;\n"
       << "  if (e == 15 && m == 7) return bitsToFloat(0x7fc00000u);\n"
       << "  if (e == 0) return bitsToFloat(s) + (s ? -1.0f : 1.0f) * "
          "float(m) * 0x1p-9f;\n"
       << "  return bitsToFloat(s | ((e + 120u) << 23) | (m << 20));\n}\n";
    break;
  }
  os << "typedef " << outType() << " OutT;\n";
  if (spec.output == ScalarType::F32)
    os << "LB_DEV float loadOut(float v) { return v; }\n"
       << "LB_DEV float storeOut(float v) { return v; }\n";
  else if (spec.output == ScalarType::F16)
    os << "LB_DEV float loadOut(uint16_t v) { return f16ToF32(v); }\n"
       << "LB_DEV uint16_t storeOut(float v) { return f32ToF16(v); }\n";
  else
    os << "LB_DEV float loadOut(uint16_t v) { return bf16ToF32(v); }\n"
       << "LB_DEV uint16_t storeOut(float v) { return f32ToBF16(v); }\n";
  os << "\n";
}

void GpuPrinter::printDecode() {
  bool bf16 = isBF16(spec);
  uint32_t codeMask = (1u << bits) - 1;
  os << "// Codes: the pair of consecutive codes (2p, 2p + 1) of a lane's "
        "chunk\n// in the low and high half-words.\n";
  os << "constexpr uint32_t CODE_MASK = 0x" << std::hex << codeMask
     << std::dec << "u;\n";
  if (divides) {
    os << "constexpr uint32_t PAIR_MASK = CODE_MASK | (CODE_MASK << 16);\n"
       << "// The word holding pair P, shifted so the pair sits in bits 0 and "
          "16 (unmasked).\n"
       << "template <int P> LB_DEV uint32_t pairBits(const uint32_t (&w)[CW]) "
          "{\n"
       << "  // Interleaved words: codes 2i and 2i+1 sit in slot i of the low "
          "and high half-word.\n"
       << "  constexpr int PER_WORD = 32 / BITS, WORD = 2 * P / PER_WORD,\n"
       << "                SLOT = (2 * P % PER_WORD) / 2;\n"
       << "  return w[WORD] >> (SLOT * BITS);\n}\n"
       << "template <int P> LB_DEV uint32_t codePair(const uint32_t (&w)[CW]) "
          "{\n"
       << "  return pairBits<P>(w) & PAIR_MASK;\n}\n";
  } else {
    os << "template <int BIT> LB_DEV uint32_t code(const uint32_t (&w)[CW]) "
          "{\n"
       << "  // A plain bit stream: codes may straddle two words.\n"
       << "  constexpr int WORD = BIT / 32, OFFSET = BIT % 32;\n"
       << "  if constexpr (OFFSET + BITS <= 32)\n"
       << "    return (w[WORD] >> OFFSET) & CODE_MASK;\n"
       << "  else\n"
       << "    return uint32_t(((uint64_t(w[WORD + 1]) << 32) | w[WORD]) >> "
          "OFFSET) & CODE_MASK;\n}\n"
       << "template <int P> LB_DEV uint32_t codePair(const uint32_t (&w)[CW]) "
          "{\n"
       << "  return code<2 * P * BITS>(w) | (code<(2 * P + 1) * BITS>(w) << "
          "16);\n}\n";
  }
  // Per-group parameters: pairs of the scale, of the zero-point term and of
  // the negative scale.
  const numerics::Scheme &scheme = spec.scheme;
  ZeroPointMode mode = scheme.zeroPoint;
  double magic = bf16 ? 128.0 : 1024.0;
  int offset = magicOffset(spec.weight);
  os << "struct GroupParams { uint32_t s2, z2, n2; };\n";
  os << "LB_DEV GroupParams loadGroup(const ScaleT *scales, const float "
        "*zeros, const ScaleT *negScales, int64_t idx, bool ok) {\n"
     << "  GroupParams p;\n"
     << "  p.s2 = pBroadcast(ok ? loadScale(scales[idx]) : 0.0f);\n";
  switch (mode) {
  case ZeroPointMode::None:
    os << "  (void)zeros;\n";
    if (decode == Decode::Magic)
      os << "  p.z2 = pBroadcast(" << cpu::floatLiteral(magic + offset)
         << ");\n";
    else
      os << "  p.z2 = 0;\n";
    break;
  case ZeroPointMode::Integer:
    // The magic number, the code offset and the zero point subtract in one
    // exact f16/bf16 subtraction (all integers below 2^11 / 2^8).
    os << "  p.z2 = pBroadcast("
       << (decode == Decode::Magic ? cpu::floatLiteral(magic + offset) + " + "
                                   : std::string())
       << "(ok ? zeros[idx] : 0.0f));\n";
    break;
  case ZeroPointMode::Float:
    if (decode == Decode::Magic)
      os << "  p.n2 = pBroadcast(" << cpu::floatLiteral(magic + offset)
         << ");\n";
    os << "  p.z2 = pBroadcast(ok ? -zeros[idx] : 0.0f);\n";
    break;
  case ZeroPointMode::AsymFloat:
    os << "  (void)zeros;\n  p.z2 = pBroadcast("
       << cpu::floatLiteral(decode == Decode::Magic ? magic + offset : 0.0)
       << ");\n"
       << "  p.n2 = pBroadcast(ok ? loadScale(negScales[idx]) : 0.0f);\n";
    break;
  }
  if (mode != ZeroPointMode::AsymFloat)
    os << "  (void)negScales;\n";
  os << "  return p;\n}\n";

  if (decode == Decode::Table) {
    os << "// Every code's value in the activation type, copied to shared "
          "memory.\n"
       << "__device__ const uint16_t kCodeTable[" << (1u << bits) << "] = {";
    for (uint32_t code = 0; code < (1u << bits); ++code) {
      double value = spec.weight.isFiniteCode(code)
                         ? roundToType(spec.weight.decode(code), bf16)
                         : 0.0;
      // The bits of `value` in f16 or bf16.
      uint16_t valueBits;
      if (bf16) {
        float single = float(value);
        uint32_t b;
        std::memcpy(&b, &single, 4);
        valueBits = uint16_t(b >> 16); // exact: value is a bf16 value
      } else {
        int exponent;
        double f = std::frexp(std::fabs(value), &exponent);
        uint16_t sign = std::signbit(value) ? 0x8000 : 0;
        if (value == 0.0) {
          valueBits = sign;
        } else if (exponent - 1 < -14) { // subnormal: m * 2^-24
          valueBits = sign | uint16_t(std::ldexp(std::fabs(value), 24));
        } else {
          uint16_t e = uint16_t(exponent - 1 + 15);
          uint16_t m = uint16_t((f * 2.0 - 1.0) * 1024.0);
          valueBits = sign | uint16_t(e << 10) | m;
        }
      }
      os << (code % 8 == 0 ? "\n    " : " ") << "0x" << std::hex << valueBits
         << std::dec << ",";
    }
    os << "\n};\n";
  }

  // The scaled weight pair.
  os << "// Weights 2p and 2p + 1 of a lane's chunk, dequantized: the B "
        "operand pair.\n"
     << "template <int P> LB_DEV uint32_t weightPair(const uint32_t (&w)[CW], "
        "const GroupParams &g"
     << (decode == Decode::Table ? ", const uint16_t *table" : "") << ") {\n";
  // CUDA, interleaved words: mask and magic in one lop3 (given two
  // immediates, the compiler emits an AND and an XOR).
  bool fusedMagic = cuda && divides && decode == Decode::Magic;
  if (!fusedMagic)
    os << "  const uint32_t c = codePair<P>(w);\n";
  switch (decode) {
  case Decode::Magic: {
    uint32_t magicBits = bf16 ? 0x4300 : 0x6400;
    uint32_t signBit = spec.weight.kind() == FormatKind::SignedInt
                           ? 1u << (bits - 1)
                           : 0;
    uint32_t constant = (magicBits | signBit) * 0x10001u;
    os << "  // Integer codes: (magic | code) - (magic + offset"
       << (mode == ZeroPointMode::Integer ? " + zero" : "")
       << ") is exact; a signed code's sign bit is flipped first.\n";
    std::ostringstream magicText;
    magicText << "0x" << std::hex << constant << "u";
    std::string flipped =
        fusedMagic ? cat("andXor<PAIR_MASK, ", magicText.str(), ">(pairBits<P>(w))")
                   : cat("c ^ ", magicText.str());
    os << "  const uint32_t v = pSub(" << flipped << ", "
       << (mode == ZeroPointMode::Float ? "g.n2" : "g.z2") << ");\n";
    break;
  }
  case Decode::FloatBits: {
    const numerics::FloatSpec &fs = spec.weight.floatSpec();
    uint32_t signMask = (1u << (bits - 1)) * 0x10001u;
    uint32_t magMask = ((1u << (bits - 1)) - 1) * 0x10001u;
    int signShift = 15 - int(bits - 1);
    int mantShift = typeMantissa(spec) - int(fs.mantissaBits);
    double factor = std::ldexp(1.0, typeBias(spec) - fs.bias);
    os << "  // Float codes: sign to bit 15, exponent and mantissa below the "
          "type's exponent field.\n"
       << "  const uint32_t f = ((c & 0x" << std::hex << signMask << "u) << "
       << std::dec << signShift << ") | ((c & 0x" << std::hex << magMask
       << "u) << " << std::dec << mantShift << ");\n";
    if (factor == 1.0)
      os << "  const uint32_t v = f;\n";
    else
      os << "  // Rebias the exponent by 2^" << (typeBias(spec) - fs.bias)
         << " (exact).\n"
         << "  const uint32_t v = pMul(f, pBroadcast("
         << cpu::floatLiteral(factor) << "));\n";
    break;
  }
  case Decode::Table:
    os << "  const uint32_t v = uint32_t(table[c & 0xffffu]) | "
          "(uint32_t(table[c >> 16]) << 16);\n";
    break;
  }
  switch (mode) {
  case ZeroPointMode::None:
    os << "  return pMul(v, g.s2);\n";
    break;
  case ZeroPointMode::Integer:
    if (decode == Decode::Magic)
      os << "  return pMul(v, g.s2);\n";
    else
      os << "  return pMul(pSub(v, g.z2), g.s2);\n";
    break;
  case ZeroPointMode::Float:
    os << "  return pFma(v, g.s2, g.z2);\n";
    break;
  case ZeroPointMode::AsymFloat:
    os << "  return pFma(pMin0(v), g.n2, pMul(pMax0(v), g.s2));\n";
    break;
  }
  os << "}\n\n";
}

void GpuPrinter::printEpilogue() {
  os << R"(// Helpers of epilogue bodies: rounding a float to f16 or bf16 (to nearest
// even), and IEEE 754-2019 maximum and minimum (NaN if either operand is NaN;
// -0 below +0), which fmaxf and fminf are not.
LB_DEV float roundF16(float v) { return f16ToF32(f32ToF16(v)); }
LB_DEV float roundBF16(float v) { return bf16ToF32(f32ToBF16(v)); }
LB_DEV float maximumF(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}
LB_DEV float minimumF(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}
)";
  os << "LB_DEV float epilogue(float acc";
  for (size_t i = 0; i < spec.epilogue->operands.size(); ++i)
    os << ", " << cpu::epilogueValueType(spec.epilogue->operands[i].type)
       << " e" << i;
  os << ") {\n  float out;\n";
  std::istringstream body(spec.epilogue->body);
  for (std::string line; std::getline(body, line);)
    os << "  " << line << "\n";
  os << "  return out;\n}\n\n";
}

/// One K step of 4 codes per lane: the group parameters when a group
/// starts, then one matrix instruction per tile.
void GpuPrinter::printStep(int j, Variant variant) {
  std::string indent = "      ";
  // A new group starts at this step (codes 4j of the chunk).
  if (j == 0 || (group < 128 && (4 * j) % group == 0)) {
    std::string g = group >= 128 ? "int64_t(c) * 128 / G"
                                 : cat("(int64_t(c) * 128 + ", 4 * j, ") / G");
    os << "#pragma unroll\n"
       << indent << "for (int t = 0; t < TN; ++t)\n"
       << indent << "  gp[t] = loadGroup(scales, zeros, negScales, "
       << "int64_t(n0 + t * TILE + col) * GROUPS + " << g
       << ", ok && n0 + t * TILE + col < N);\n";
  }
  std::string table = decode == Decode::Table ? ", table" : "";
  const char *lohi = j % 2 == 0 ? "xy" : "zw";
  if (variant != Variant::Plain) {
    // Weight slots t and t + 1 are A rows lane / 4 and lane / 4 + 8.
    os << "#pragma unroll\n" << indent << "for (int t = 0; t < TN; t += 2) {\n";
    for (int h = 0; h < 2; ++h)
      os << indent << "  const uint32_t a" << 2 * h << " = weightPair<"
         << 2 * j + h << ">(wr[t], gp[t]" << table << "), a" << 2 * h + 1
         << " = weightPair<" << 2 * j + h << ">(wr[t + 1], gp[t + 1]" << table
         << ");\n";
    if (variant == Variant::Swapped)
      os << indent << "  mma(acc[t / 2], a0, a1, a2, a3, xa." << lohi[0]
         << ", xa." << lohi[1] << ");\n";
    else
      os << indent << "  wgmma(acc[t / 2], a0, a1, a2, a3, xs + " << 128 * j
         << ");\n";
    os << indent << "}\n";
    return;
  }
  os << "#pragma unroll\n"
     << indent << "for (int t = 0; t < TN; ++t) {\n"
     << indent << "  const uint32_t b0 = weightPair<" << 2 * j
     << ">(wr[t], gp[t]" << table << ");\n"
     << indent << "  const uint32_t b1 = weightPair<" << 2 * j + 1
     << ">(wr[t], gp[t]" << table << ");\n";
  if (cuda)
    os << indent << "  mma(acc[t], xa." << lohi[0] << ", xb." << lohi[0]
       << ", xa." << lohi[1] << ", xb." << lohi[1] << ", b0, b1);\n";
  else
    os << indent << "  mma(acc[t], xa." << lohi[0] << ", xa." << lohi[1]
       << ", b0, b1);\n";
  os << indent << "}\n";
}

void GpuPrinter::printFinish() {
  size_t operands = numOperands();
  os << "struct EpilogueArgs { const void *p[" << std::max<size_t>(operands, 1)
     << "]; };\n\n";
  os << "// The finished output element (m, n) from its accumulator.\n"
     << "LB_DEV OutT finish(float v, int64_t m, int64_t n, float tensorScale, "
        "const OutT *bias, const EpilogueArgs &ep) {\n";
  if (spec.scheme.tensorScale)
    os << "  v *= tensorScale;\n";
  else
    os << "  (void)tensorScale;\n";
  if (spec.bias)
    os << "  v += loadOut(bias[n]);\n";
  else
    os << "  (void)bias;\n";
  if (spec.epilogue) {
    os << "  v = epilogue(v";
    for (size_t i = 0; i < operands; ++i) {
      const cpu::EpilogueOperand &operand = spec.epilogue->operands[i];
      const char *type = cpu::epilogueMemoryType(operand.type);
      std::string element =
          cat("static_cast<const ", type, " *>(ep.p[", i, "])[",
              operand.shape == cpu::EpilogueShape::N ? "n" : "m * N + n", "]");
      os << ", " << cpu::epilogueLoad(operand.type, element);
    }
    os << ");\n";
  } else {
    os << "  (void)ep;\n";
  }
  os << "  (void)m;\n  return storeOut(v);\n}\n\n";
}

/// The cp.async pipeline's pieces (CUDA, sm_80+): a lane's 16-byte copies
/// of its chunks into its own slots of a stage (zero-filled past the end),
/// the group commit and wait, and the read back into registers. A lane reads
/// only what it copied, so the wait alone orders them: no barrier.
void GpuPrinter::printStageHelpers() {
  os << "#ifdef LOWBIT_GPU_EMULATION\n"
     << R"(LB_DEV void cpAsync16(uint4 *dst, const uint4 *src, bool ok) { *dst = ok ? *src : make_uint4(0, 0, 0, 0); }
LB_DEV void cpAsyncCommit() {}
template <int N> LB_DEV void cpAsyncWait() {}
)"
     << "#else\n"
     << R"(// 16 bytes global -> shared, bypassing L1; a source size of 0 writes zeros.
LB_DEV void cpAsync16(uint4 *dst, const uint4 *src, bool ok) {
  const unsigned s = unsigned(__cvta_generic_to_shared(dst));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" :: "r"(s), "l"(src), "r"(ok ? 16 : 0) : "memory");
}
LB_DEV void cpAsyncCommit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int N> LB_DEV void cpAsyncWait() { asm volatile("cp.async.wait_group %0;\n" :: "n"(N) : "memory"); }
)"
     << "#endif\n"
     << "// Copies a lane's chunk c of each of its TN weight rows (striped "
        "as in\n"
     << "// loadWeights) into its slots of one stage: slot (t, v) at "
        "dst[(t * CW / 4 + v) * WARP].\n"
     << "LB_DEV void stageWeights(uint4 *dst, const uint32_t *w, int n0, int "
        "col, int cb, int q, bool ok) {\n"
     << runLine() << "#pragma unroll\n"
     << "  for (int t = 0; t < TN; ++t) {\n"
     << "    const int n = n0 + t * TILE + col;\n"
     << "    const bool live = ok && n < N;\n"
     << "    const uint4 *src = reinterpret_cast<const uint4 *>(w + (live ? "
        "int64_t(n) * WPR + int64_t(cb) * CW : 0)) + (live ? q : 0);\n"
     << "#pragma unroll\n"
     << "    for (int v = 0; v < CW / 4; ++v)\n"
     << "      cpAsync16(dst + (t * (CW / 4) + v) * WARP, src + (live ? "
     << pieceOffset() << " : 0), live);\n"
     << "  }\n}\n\n"
     << "LB_DEV void readStage(uint32_t (&wr)[TN][CW], const uint4 *src) {\n"
     << "#pragma unroll\n"
     << "  for (int t = 0; t < TN; ++t)\n"
     << "#pragma unroll\n"
     << "    for (int v = 0; v < CW / 4; ++v) {\n"
     << "      const uint4 u = src[(t * (CW / 4) + v) * WARP];\n"
     << "      wr[t][4 * v] = u.x; wr[t][4 * v + 1] = u.y; wr[t][4 * v + 2] = "
        "u.z; wr[t][4 * v + 3] = u.w;\n"
     << "    }\n}\n\n";
}

/// The wgmma kernel's pieces (CUDA, sm_90a): the warpgroup barrier, the
/// activations' copy into shared memory in the order of the mma's K slots,
/// and one m64n16k16 wgmma with the weights in registers.
void GpuPrinter::printWgmmaHelpers() {
  bool bf16 = isBF16(spec);
  os << "#ifdef LOWBIT_GPU_EMULATION\n"
     << "LB_DEV void groupSync(int) { lbemu::groupSync(); }\n"
     << "LB_DEV void fenceProxyAsync() {}\n"
     << "LB_DEV void wgmma(float (&d)[8], uint32_t a0, uint32_t a1, uint32_t "
        "a2, uint32_t a3, const uint32_t *b) {\n"
     << "  lbemu::wgmmaM64N16K16<" << (bf16 ? "__nv_bfloat16" : "__half")
     << ">(d, a0, a1, a2, a3, reinterpret_cast<const unsigned char *>(b), "
        "128, 256);\n}\n"
     << "#else\n"
     << R"(#if defined(__CUDA_ARCH__) && !defined(__CUDA_ARCH_FEAT_SM90_ALL)
#error "this kernel uses wgmma (--gpu-tile's sixth number): compile it for sm_90a"
#endif
// The four warps of warpgroup `id - 1` (named barrier 0 is __syncthreads).
LB_DEV void groupSync(int id) { asm volatile("bar.sync %0, 128;\n" :: "r"(id) : "memory"); }
// Makes the threads' shared-memory stores visible to the wgmma's reads.
LB_DEV void fenceProxyAsync() { asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory"); }
// d (this warp's 16 weight rows x 16 rows of M) += A (the 16 x 16 K slots
// in registers, laid out as mma.m16n8k16's A) * B (16 K slots x 16 rows of
// M at b: K-major without swizzle, 8 x 8 core matrices of 128 bytes, the
// next 8 K slots 128 bytes on, the next 8 rows 256 bytes on). The fence,
// the mma, its commit and the wait form one statement: no register the
// wgmma reads or writes is touched while it runs.
LB_DEV void wgmma(float (&d)[8], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, const uint32_t *b) {
  const uint64_t desc = uint64_t((unsigned(__cvta_generic_to_shared(b)) & 0x3ffffu) >> 4) |
                        (uint64_t(128 >> 4) << 16) | (uint64_t(256 >> 4) << 32);
  asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %13, 0;\n"
               "wgmma.fence.sync.aligned;\n"
)"
     << "               \"wgmma.mma_async.sync.aligned.m64n16k16.f32."
     << (bf16 ? "bf16.bf16" : "f16.f16")
     << " {%0,%1,%2,%3,%4,%5,%6,%7}, {%8,%9,%10,%11}, %12, p, 1, 1, 0;\\n\"\n"
     << R"(               "wgmma.commit_group.sync.aligned;\n"
               "wgmma.wait_group.sync.aligned 0;\n}\n"
               : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7])
               : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "l"(desc), "r"(1)
               : "memory");
}
#endif
// Activations of rows m0..m0+15 and chunks cb..cb+3 (zeros past m and cEnd)
// into xs, thread i of 128 of the warpgroup: codes 4j..4j+3 of chunk q are
// K slots 2q, 2q+1, 2q+8, 2q+9 of step j, as the decode pairs them. Word
// (j, row n, slot pair) sits at j * 128 + n / 8 * 64 + (slots / 8) * 32 +
// n % 8 * 4 + q, so a warp's 32 stores hit 32 banks.
LB_DEV void stageActivations(uint32_t *xs, const uint16_t *x, int m, int m0, int cb, int cEnd, int i) {
#pragma unroll
  for (int v = 0; v < 8; ++v) {
    const int u = i + 128 * v, q = u % 4, r8 = u / 4 % 8, ng = u / 32 % 2, jj = u / 64;
    const int n = 8 * ng + r8, c = cb + q;
    const uint4 a = m0 + n < m && c < cEnd
        ? loadAct(reinterpret_cast<const uint4 *>(x + int64_t(m0 + n) * K + int64_t(c) * 128) + jj)
        : make_uint4(0, 0, 0, 0);
    uint32_t *dst = xs + 2 * jj * 128 + ng * 64 + r8 * 4 + q;
    dst[0] = a.x; dst[32] = a.y; dst[128] = a.z; dst[160] = a.w;
  }
}

)";
}

void GpuPrinter::printWeightLoaders() {
  os << "// One lane's 128-code chunk c of each of its TN weight rows "
        "(zeros past the end).\n"
     << "// Chunks cb..cb+3 of a row (cb a multiple of 4) are striped: "
        "16-byte piece v\n"
     << "// of chunk cb+q is piece v * run + q of the run, run = 4 (fewer at "
        "the row's end).\n"
     << "LB_DEV void loadWeights(uint32_t (&wr)[TN][CW], const uint32_t *w, "
        "int n0, int col, int cb, int q, bool ok) {\n"
     << runLine() << "#pragma unroll\n"
     << "  for (int t = 0; t < TN; ++t) {\n"
     << "    const int n = n0 + t * TILE + col;\n"
     << "    const uint4 *src = reinterpret_cast<const uint4 *>(w + "
        "int64_t(n) * WPR + int64_t(cb) * CW) + q;\n"
     << "#pragma unroll\n"
     << "    for (int v = 0; v < CW / 4; ++v) {\n"
     << "      const uint4 u = ok && n < N ? loadStream(src + " << pieceOffset()
     << ") : make_uint4(0, 0, 0, 0);\n"
     << "      wr[t][4 * v] = u.x; wr[t][4 * v + 1] = u.y; wr[t][4 * v + 2] = "
        "u.z; wr[t][4 * v + 3] = u.w;\n"
     << "    }\n  }\n}\n\n";
  if (tile.stages)
    printStageHelpers();
  if (wgmma)
    printWgmmaHelpers();
}

/// The tensor-core kernel. Swapped (CUDA, an even number of tiles): the
/// kernel for M <= 8 that multiplies with the operands swapped, weights as
/// the 16-row A operand (rows n0 + 8t + col and n0 + 8(t + 1) + col of
/// slots t and t + 1) and the activations of 8 rows as the B operand, so
/// that no mma row is padding and each lane loads one activation row.
/// Wgmma: the same A fragments, four warps' worth in one m64n16k16 wgmma
/// whose B operand is the warpgroup's 16 activation rows in shared memory.
void GpuPrinter::printKernel(Variant variant) {
  const bool swap = variant != Variant::Plain, wg = variant == Variant::Wgmma;
  // CUDA: one block per multiprocessor unless two fit without spilling
  // (minBlocksPerMultiprocessor); with one, ptxas may use the whole register
  // file rather than spill to fit more blocks.
  os << "__global__ void __launch_bounds__(THREADS"
     << (cuda ? cat(", ", wg ? 1 : minBlocksPerMultiprocessor(spec, tile, swap))
              : "")
     << ") "
     << (wg     ? "kernelWgmma"
         : swap ? "kernelSwapped"
                : "kernel")
     << "(const uint16_t "
        "*__restrict__ x, int m, const uint32_t *__restrict__ w,\n"
     << "    const ScaleT *__restrict__ scales, const float *__restrict__ "
        "zeros, const ScaleT *__restrict__ negScales,\n"
     << "    float tensorScale, const OutT *__restrict__ bias, OutT "
        "*__restrict__ y, float *__restrict__ ws,\n"
     << "    unsigned *__restrict__ counters, EpilogueArgs ep) {\n"
     << "  __shared__ float red[WK * 16 * RED_STRIDE];\n"
     << "  static_assert(sizeof(red) == " << reductionBytes(spec, tile)
     << ", \"gpu::reductionBytes\");\n";
  if (tile.stages || wg)
    os << "#ifdef LOWBIT_GPU_EMULATION\n"
       << "  __shared__ uint4 stageBuffer["
       << (wg ? "DYN_BYTES / sizeof(uint4)" : "STAGES * STAGE_STRIDE") << "];\n"
       << "#else\n"
       << "  extern __shared__ uint4 stageBuffer[]; // "
       << (wg ? "DYN_BYTES" : "STAGE_BYTES") << ", set at launch\n"
       << "#endif\n";
  if (decode == Decode::Table)
    os << "  __shared__ uint16_t table[1 << BITS];\n"
       << "  for (int i = threadIdx.x; i < (1 << BITS); i += THREADS) "
          "table[i] = kCodeTable[i];\n"
       << "  __syncthreads();\n";
  os << "  const int lane = threadIdx.x % WARP, warp = threadIdx.x / WARP;\n"
     << "  const int wn = warp % WN, wk = warp / WN;\n";
  if (wg)
    os << "  // wgmma m64n16k16 with the weights as A: lane group q = lane % "
          "4 owns K slots\n"
       << "  // {2q, 2q+1, 2q+8, 2q+9}, mapped to codes 4j..4j+3 of chunk q; "
          "A rows lane / 4\n"
       << "  // and lane / 4 + 8 of the warp's 16 are weight slots t and t + "
          "1; B (xs) holds\n"
       << "  // the warpgroup's 16 rows of M in the same K order.\n"
       << "  const int q = lane % 4, col = lane / 4;\n"
       << "  uint32_t *const xs = reinterpret_cast<uint32_t *>(stageBuffer + "
          "XS_OFFSET / sizeof(uint4)) + warp / 4 * XS_WORDS;\n";
  else if (swap)
    os << "  // mma m16n8k16 with the weights as A: lane group q = lane % 4 "
          "owns K slots\n"
       << "  // {2q, 2q+1, 2q+8, 2q+9}, mapped to codes 4j..4j+3 of chunk q; "
          "A rows lane / 4\n"
       << "  // and lane / 4 + 8 are weight slots t and t + 1, B column lane "
          "/ 4 is row m0 + lane / 4.\n"
       << "  const int q = lane % 4, col = lane / 4, row = lane / 4;\n";
  else if (cuda)
    os << "  // mma m16n8k16: lane group q = lane % 4 owns K slots {2q, 2q+1, "
          "2q+8, 2q+9},\n"
       << "  // mapped to codes 4j..4j+3 of chunk q; B column and A row = "
          "lane / 4.\n"
       << "  const int q = lane % 4, col = lane / 4, row = lane / 4;\n";
  else
    os << "  // MFMA 16x16x16: lane group q = lane / 16 owns K slots "
          "4q..4q+3, mapped to\n"
       << "  // codes 4j..4j+3 of chunk q; B column and A row = lane % 16.\n"
       << "  const int q = lane / 16, col = lane % 16, row = lane % 16;\n";
  os << "  const int n0 = blockIdx.x * BLOCK_COLS + wn * TN * TILE;\n"
     << "  constexpr int MT = " << (swap && !wg ? 8 : 16)
     << "; // rows of M per block\n"
     << "  const int m0 = blockIdx.z * MT;\n"
     << "  const int cBegin = blockIdx.y * CPS, cEnd = min(KCH, cBegin + "
        "CPS);\n";
  if (wg)
    os << "  float acc[TN / 2][8];\n"
       << "#pragma unroll\n"
       << "  for (int t = 0; t < TN / 2; ++t)\n"
       << "#pragma unroll\n"
       << "    for (int r = 0; r < 8; ++r) acc[t][r] = 0.0f;\n";
  else if (swap)
    os << "  const bool rowA = m0 + row < m;\n"
       << "  const uint16_t *xrowA = x + int64_t(m0 + row) * K;\n"
       << "  float acc[TN / 2][4];\n"
       << "#pragma unroll\n"
       << "  for (int t = 0; t < TN / 2; ++t) acc[t][0] = acc[t][1] = "
          "acc[t][2] = acc[t][3] = 0.0f;\n";
  else if (cuda)
    os << "  const bool rowA = m0 + row < m, rowB = m0 + row + 8 < m;\n"
       << "  const uint16_t *xrowA = x + int64_t(m0 + row) * K, *xrowB = "
          "xrowA + 8 * int64_t(K);\n"
       << "  float acc[TN][4];\n"
       << "#pragma unroll\n"
       << "  for (int t = 0; t < TN; ++t) acc[t][0] = acc[t][1] = acc[t][2] "
          "= acc[t][3] = 0.0f;\n";
  else
    os << "  const bool rowA = m0 + row < m;\n"
       << "  const uint16_t *xrowA = x + int64_t(m0 + row) * K;\n"
       << "  F4 acc[TN];\n"
       << "#pragma unroll\n"
       << "  for (int t = 0; t < TN; ++t) acc[t] = F4{0.0f, 0.0f, 0.0f, "
          "0.0f};\n";
  os << "  GroupParams gp[TN];\n";
  if (tile.stages)
    os << "  // cp.async pipeline: STAGES - 1 steps of weights in flight in "
          "shared memory.\n"
       << "  uint4 *const stage = stageBuffer + warp * (TN * (CW / 4) * WARP) "
          "+ lane;\n"
       << "  uint32_t wr[TN][CW];\n"
       << "  int issue = cBegin + wk * 4; // the next step to copy\n"
       << "#pragma unroll\n"
       << "  for (int s = 0; s < STAGES - 1; ++s, issue += WK * 4) {\n"
       << "    stageWeights(stage + s * STAGE_STRIDE, w, n0, col, issue, q, "
          "issue + q < cEnd);\n"
       << "    cpAsyncCommit();\n"
       << "  }\n"
       << "  int slot = 0;\n"
       << "  for (int cb = cBegin + wk * 4; cb < cEnd; cb += WK * 4, issue += "
          "WK * 4) {\n"
       << "    const int c = cb + q;\n"
       << "    const bool ok = c < cEnd;\n"
       << "    // The slot read last step is free: copy step `issue` into it, "
          "then wait\n"
       << "    // for this step's copies (groups complete in order).\n"
       << "    stageWeights(stage + (slot == 0 ? STAGES - 1 : slot - 1) * "
          "STAGE_STRIDE, w, n0, col, issue, q, issue + q < cEnd);\n"
       << "    cpAsyncCommit();\n"
       << "    cpAsyncWait<STAGES - 1>();\n"
       << "    readStage(wr, stage + slot * STAGE_STRIDE);\n"
       << "    slot = slot + 1 == STAGES ? 0 : slot + 1;\n";
  else
    os << "  // Double-buffered: the next 4-chunk step's weights load while "
          "this one computes.\n"
       << "  uint32_t wr[TN][CW];\n"
       << "  loadWeights(wr, w, n0, col, cBegin + wk * 4, q, cBegin + wk * 4 "
          "+ q < cEnd);\n"
       << "  for (int cb = cBegin + wk * 4; cb < cEnd; cb += WK * 4) {\n"
       << "    const int c = cb + q;\n"
       << "    const bool ok = c < cEnd;\n"
       << "    uint32_t wnext[TN][CW];\n"
       << "    loadWeights(wnext, w, n0, col, cb + WK * 4, q, c + WK * 4 < "
          "cEnd);\n";
  if (wg)
    os << "    // The warpgroup's activations of this step, once its four "
          "warps "
          "have read\n"
       << "    // the last step's.\n"
       << "    groupSync(1 + warp / 4);\n"
       << "    stageActivations(xs, x, m, m0, cb, cEnd, threadIdx.x % 128);\n"
       << "    fenceProxyAsync();\n"
       << "    groupSync(1 + warp / 4);\n";
  else
    os << "    const uint4 *pa = reinterpret_cast<const uint4 *>(xrowA + "
          "int64_t(c) * 128);\n";
  if (cuda && !swap)
    os << "    const uint4 *pb = reinterpret_cast<const uint4 *>(xrowB + "
          "int64_t(c) * 128);\n";
  // 16 pairs of steps: one 16-byte activation load per row covers two.
  for (int jj = 0; jj < 16; ++jj) {
    os << "    {\n";
    if (!wg)
      os << "      const uint4 xa = ok && rowA ? loadAct(pa + " << jj
         << ") : make_uint4(0, 0, 0, 0);\n";
    if (cuda && !swap)
      os << "      const uint4 xb = ok && rowB ? loadAct(pb + " << jj
         << ") : make_uint4(0, 0, 0, 0);\n";
    printStep(2 * jj, variant);
    printStep(2 * jj + 1, variant);
    os << "    }\n";
  }
  if (tile.stages)
    os << "  }\n"
       << "  cpAsyncWait<0>(); // no copy outlives the loop\n";
  else
    os << "#pragma unroll\n"
       << "    for (int t = 0; t < TN; ++t)\n"
       << "#pragma unroll\n"
       << "      for (int i = 0; i < CW; ++i) wr[t][i] = wnext[t][i];\n"
       << "  }\n";
  // Block reduction over the WK warps splitting K.
  os << "  // Reduce the WK warps' partial sums in shared memory.\n";
  if (wg)
    os << "#pragma unroll\n"
       << "  for (int t = 0; t < TN; t += 2)\n"
       << "#pragma unroll\n"
       << "    for (int r = 0; r < 8; ++r) // D row: slot t + r / 2 % 2; "
          "column: row 8 (r / 4) + 2q + r % 2 of M\n"
       << "      red[(wk * 16 + 8 * (r / 4) + 2 * q + r % 2) * RED_STRIDE + wn "
          "* TN * TILE + (t + r / 2 % 2) * TILE + col] = acc[t / 2][r];\n";
  else if (swap)
    os << "#pragma unroll\n"
       << "  for (int t = 0; t < TN; t += 2) {\n"
       << "    // D rows are weight rows (slots t, t + 1), columns are rows "
          "2q, 2q + 1 of M.\n"
       << "    const int cc = wn * TN * TILE + t * TILE + col;\n"
       << "    float *r0 = red + (wk * 16 + 2 * q) * RED_STRIDE + cc, *r1 = "
          "r0 + RED_STRIDE;\n"
       << "    r0[0] = acc[t / 2][0]; r1[0] = acc[t / 2][1]; r0[TILE] = "
          "acc[t / 2][2]; r1[TILE] = acc[t / 2][3];\n"
       << "  }\n";
  else if (cuda)
    os << "#pragma unroll\n"
       << "  for (int t = 0; t < TN; ++t) {\n"
       << "    const int cc = wn * TN * TILE + t * TILE + 2 * q;\n"
       << "    float *r0 = red + (wk * 16 + row) * RED_STRIDE + cc, *r8 = r0 "
          "+ 8 * RED_STRIDE;\n"
       << "    r0[0] = acc[t][0]; r0[1] = acc[t][1]; r8[0] = acc[t][2]; r8[1] "
          "= acc[t][3];\n"
       << "  }\n";
  else
    os << "#pragma unroll\n"
       << "  for (int t = 0; t < TN; ++t) {\n"
       << "    const int cc = wn * TN * TILE + t * TILE + col;\n"
       << "    for (int i = 0; i < 4; ++i) red[(wk * 16 + 4 * q + i) * "
          "RED_STRIDE + cc] = acc[t][i];\n"
       << "  }\n";
  os << "  __syncthreads();\n"
     << "  const int64_t tileIdx = int64_t(blockIdx.z) * BLOCKS_N + "
        "blockIdx.x;\n"
     << "  for (int o = threadIdx.x; o < MT * BLOCK_COLS; o += THREADS) {\n"
     << "    const int r = o / BLOCK_COLS, cc = o % BLOCK_COLS;\n"
     << "    float v = 0.0f;\n"
     << "    for (int i = 0; i < WK; ++i) v += red[(i * 16 + r) * RED_STRIDE "
        "+ cc];\n"
     << "    const int64_t mm = m0 + r, n = int64_t(blockIdx.x) * BLOCK_COLS "
        "+ cc;\n"
     << "    if (mm >= m || n >= N) continue;\n"
     << "    if (SPLITK == 1) y[mm * N + n] = finish(v, mm, n, tensorScale, "
        "bias, ep);\n"
     << "    else atomicAdd(ws + mm * N + n, v);\n"
     << "  }\n";
  printSplitKFinish("tileIdx", "MT", "BLOCK_COLS", "m0",
                    "int64_t(blockIdx.x) * BLOCK_COLS");
}

/// The end of a kernel whose blocks added partial sums of a `rows` x
/// `columns` output tile (rows from `m0`, columns from `n0`) into the split-K
/// workspace: the last block of the tile to arrive finishes it and leaves
/// the workspace and its counter zero for the next call.
void GpuPrinter::printSplitKFinish(const std::string &tileIndex,
                                   const std::string &rows,
                                   const std::string &columns,
                                   const std::string &m0,
                                   const std::string &n0) {
  os << "  if (SPLITK == 1) { (void)ws; (void)counters; (void)" << tileIndex
     << "; return; }\n"
     << "  // Split K: the last block of a tile to arrive finishes it and "
        "leaves the\n"
     << "  // workspace zero for the next call.\n"
     << "  __shared__ bool last;\n"
     << "  __threadfence();\n"
     << "  __syncthreads();\n"
     << "  if (threadIdx.x == 0) last = atomicAdd(counters + " << tileIndex
     << ", 1u) == SPLITK - 1;\n"
     << "  __syncthreads();\n"
     << "  if (!last) return;\n"
     << "  __threadfence();\n"
     << "  for (int o = threadIdx.x; o < " << rows << " * " << columns
     << "; o += THREADS) {\n"
     << "    const int64_t mm = " << m0 << " + o / " << columns << ", n = "
     << n0 << " + o % " << columns << ";\n"
     << "    if (mm >= m || n >= N) continue;\n"
     << "    const float v = loadPartial(ws + mm * N + n);\n"
     << "    ws[mm * N + n] = 0.0f;\n"
     << "    y[mm * N + n] = finish(v, mm, n, tensorScale, bias, ep);\n"
     << "  }\n"
     << "  if (threadIdx.x == 0) counters[" << tileIndex << "] = 0;\n"
     << "}\n\n";
}

void GpuPrinter::printHost() {
  std::string prefix = cuda ? "cuda" : "hip";
  os << "// Host side: the packed layout (docs/gpu-kernels.md), the workspace "
        "and the launch.\n"
     << "// Where word i of a row in code order is stored: runs of 4 chunks "
        "keep\n"
     << "// their 16-byte pieces striped (piece v of chunk q at v * RUN + "
        "q).\n"
     << "inline int storedWord(int i) {\n"
     << "  const int c = i / CW, s = c / 4 * 4, run = KCH - s < 4 ? KCH - s : "
        "4;\n"
     << "  return s * CW + (i % CW / 4 * run + c - s) * 4 + i % 4;\n"
     << "}\n\n"
     << "inline void packRow(const uint8_t *codes, uint32_t *row) {\n"
     << "  memset(row, 0, sizeof(uint32_t) * WPR);\n"
     << "  for (int k = 0; k < K; ++k) {\n"
     << "    const uint32_t code = codes[k] & CODE_MASK;\n";
  if (divides)
    os << "    constexpr int PER_WORD = 32 / BITS;\n"
       << "    const int i = k % PER_WORD, slot = (i % 2) * (PER_WORD / 2) + i "
          "/ 2;\n"
       << "    row[storedWord(k / PER_WORD)] |= code << (slot * BITS);\n";
  else
    os << "    const int bit = k * BITS;\n"
       << "    row[storedWord(bit / 32)] |= code << (bit % 32);\n"
       << "    if (bit % 32 + BITS > 32) row[storedWord(bit / 32 + 1)] |= code "
          ">> (32 - bit % 32);\n";
  os << "  }\n}\n"
     << "} // namespace " << spec.name << "_impl\n\n";

  std::string ns = spec.name + "_impl::";
  os << "extern \"C\" size_t " << spec.name << "_packed_words(void) {\n"
     << "  return size_t(" << ns << "N) * " << ns << "WPR;\n}\n\n"
     << "// codes: [N, K], one code per byte; words: " << spec.name
     << "_packed_words() words.\n"
     << "extern \"C\" void " << spec.name
     << "_pack_weights(const uint8_t *codes, uint32_t *words) {\n"
     << "  for (int64_t n = 0; n < " << ns << "N; ++n)\n"
     << "    " << ns << "packRow(codes + n * " << ns << "K, words + n * " << ns
     << "WPR);\n}\n\n";
  printWorkspaceBytes("size_t((m + 15) / 16)");
  std::string smem = tile.stages ? "STAGE_BYTES" : "0";
  std::string args = "(x, int(m), w, scales, zeros, negScales,\n"
                     "      tensorScale, bias, y, ws, counters, ep);\n";
  std::string stream = cat("static_cast<", prefix, "Stream_t>(stream)");
  std::string launch;
  if (tile.stages || wgmma) {
    launch += "  // Dynamic shared memory above 48 KiB needs the kernel's "
              "consent, asked once.\n";
    std::vector<std::pair<std::string, std::string>> kernels;
    if (!wgmma)
      kernels.push_back({"kernel", "STAGE_BYTES"});
    if (swapped && tile.stages)
      kernels.push_back({"kernelSwapped", "STAGE_BYTES"});
    if (wgmma)
      kernels.push_back({"kernelWgmma", "DYN_BYTES"});
    for (const auto &[kernel, bytes] : kernels)
      launch += cat("  static const cudaError_t ", kernel,
                    "Stages = cudaFuncSetAttribute(", kernel,
                    ", cudaFuncAttributeMaxDynamicSharedMemorySize, int(",
                    bytes, "));\n  if (", kernel,
                    "Stages != cudaSuccess) return int(", kernel, "Stages);\n");
  }
  if (swapped)
    launch += cat("  // M <= 8: weights as the A operand, one block row of 8.\n"
                  "  if (m <= 8) {\n"
                  "    kernelSwapped<<<dim3(BLOCKS_N, SPLITK, 1), THREADS, ",
                  smem, ", ", stream, ">>>", args, "    return int(", prefix,
                  "GetLastError());\n  }\n");
  launch += cat("  const dim3 grid(BLOCKS_N, SPLITK, unsigned((m + 15) / "
                "16));\n",
                wgmma ? "  // wgmma (sm_90a): 16 rows of M a block.\n" : "",
                "  ", wgmma ? "kernelWgmma" : "kernel", "<<<grid, THREADS, ",
                wgmma ? "DYN_BYTES" : smem, ", ", stream, ">>>", args);
  printLauncher(cat("  if (m > int64_t(65535) * 16) return int(", prefix,
                    "ErrorInvalidValue);\n"),
                launch);
}

/// `NAME_workspace_bytes`: the f32 partial sums of m x N outputs and one
/// counter per output tile, `tileRows` (an expression in m) tiles along M.
void GpuPrinter::printWorkspaceBytes(const std::string &tileRows) {
  std::string ns = spec.name + "_impl::";
  os << "// Bytes of the split-K workspace a call with m rows needs (0 without "
        "split K).\n"
     << "// Zero it once; every call leaves it zero.\n"
     << "extern \"C\" size_t " << spec.name
     << "_workspace_bytes(int64_t m) {\n"
     << "  if (" << ns << "SPLITK == 1 || m <= 0) return 0;\n"
     << "  return size_t(m) * " << ns << "N * sizeof(float) + " << tileRows
     << " * " << ns << "BLOCKS_N * sizeof(unsigned);\n}\n\n";
}

/// The extern "C" launcher: the documented signature, `checks` on m, the
/// workspace and epilogue operands, then `launch` (which sees x, m, w, ...,
/// ws, counters, ep and stream).
void GpuPrinter::printLauncher(const std::string &checks,
                               const std::string &launch) {
  std::string prefix = cuda ? "cuda" : "hip";
  std::string ns = spec.name + "_impl::";
  os << "// Returns 0 or the " << prefix
     << "Error_t of the launch; x, w, scales, ... are device pointers.\n"
     << "extern \"C\" int " << spec.name
     << "(const uint16_t *x, int64_t m, const uint32_t *w, const " << ns
     << "ScaleT *scales,\n    const float *zeros, const " << ns
     << "ScaleT *negScales, float tensorScale, const " << outType()
     << " *bias, " << outType() << " *y,\n    void *workspace"
     << (spec.epilogue ? ", const void *const *epilogueOperands" : "")
     << ", void *stream) {\n"
     << "  using namespace " << spec.name << "_impl;\n"
     << "  if (m <= 0) return 0;\n"
     << checks << "  if (SPLITK > 1 && !workspace) return int(" << prefix
     << "ErrorInvalidValue);\n"
     << "  EpilogueArgs ep{};\n";
  for (size_t i = 0; i < numOperands(); ++i)
    os << "  ep.p[" << i << "] = epilogueOperands[" << i << "];\n";
  os << "  float *ws = static_cast<float *>(workspace);\n"
     << "  unsigned *counters = ws ? reinterpret_cast<unsigned *>(ws + m * N) "
        ": nullptr;\n"
     << launch << "  return int(" << prefix << "GetLastError());\n}\n";
}

std::string GpuPrinter::print() {
  printHeader();
  if (lut) {
    printLutConstants();
    printConversions();
    printScaleAndTypes();
    printLutHelpers();
    if (spec.epilogue)
      printEpilogue();
    printFinish();
    printLutKernel();
    printLutHost();
    return os.str();
  }
  printConstants();
  printConversions();
  printPairHelpers();
  printScaleAndTypes();
  printDecode();
  if (spec.epilogue)
    printEpilogue();
  printFinish();
  printWeightLoaders();
  if (!wgmma)
    printKernel(Variant::Plain);
  if (swapped)
    printKernel(Variant::Swapped);
  if (wgmma)
    printKernel(Variant::Wgmma);
  printHost();
  return os.str();
}
} // namespace lowbit::gpu::detail

cpu::EmitResult lowbit::gpu::emitGpuKernel(const KernelSpec &spec) {
  cpu::EmitResult result;
  result.error = verifyKernelSpec(spec);
  if (result.error.empty())
    result.source = detail::GpuPrinter(spec).print();
  return result;
}
